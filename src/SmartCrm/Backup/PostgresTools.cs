using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace SmartCrm.Backup;

/// <summary>
/// PostgreSQL's own pg_dump and pg_restore, found on the machine: the newest one on PATH or in the usual install folders, which
/// must be at least as new as the server (an older pg_dump refuses a newer server, an older pg_restore a newer archive).
/// The connection goes to them through PG* environment variables, never on the command line, where others could read the password.
/// </summary>
public static partial class PostgresTools
{
    private static readonly string[] InstallFolders = ["/usr/lib/postgresql", "/usr/pgsql-*", "/usr/local/pgsql", "/opt/homebrew/opt"];

    /// <summary>Folders to look in: PATH, then every versioned install folder (Debian, RHEL, source, Homebrew).</summary>
    public static IEnumerable<string> DefaultFolders()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)) yield return folder;
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            foreach (var version in Directory.EnumerateDirectories("/usr/lib/postgresql")) yield return Path.Combine(version, "bin");
        }
        foreach (var folder in Directory.Exists("/usr") ? Directory.EnumerateDirectories("/usr", "pgsql-*") : []) yield return Path.Combine(folder, "bin");
        yield return "/usr/local/pgsql/bin";
        if (Directory.Exists("/opt/homebrew/opt"))
        {
            foreach (var folder in Directory.EnumerateDirectories("/opt/homebrew/opt", "postgresql*")) yield return Path.Combine(folder, "bin");
        }
    }

    /// <summary>The newest <paramref name="program"/> in <paramref name="folders"/>; a clear error when none is new enough for the server.</summary>
    public static string Find(string program, int serverMajor, IEnumerable<string>? folders = null)
    {
        var found = new List<(string Path, int Major)>();
        foreach (var folder in (folders ?? DefaultFolders()).Distinct(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, program);
            if (!File.Exists(path)) continue;
            if (VersionOf(path) is { } major) found.Add((path, major));
        }
        var best = found.OrderByDescending(f => f.Major).FirstOrDefault();
        if (best.Path is not null && best.Major >= serverMajor) return best.Path;
        var install = $"install the PostgreSQL {serverMajor} client programs (Debian: apt-get install postgresql-client-{serverMajor}) or put their bin folder on PATH";
        throw new BackupException(best.Path is null
            ? $"{program} was not found (looked on PATH and in {string.Join(", ", InstallFolders)}): {install}."
            : $"{program} at {best.Path} is from PostgreSQL {best.Major}, older than the server ({serverMajor}): {install}.");
    }

    private static int? VersionOf(string path)
    {
        try
        {
            var (exit, output, _) = RunAsync(path, ["--version"], new Dictionary<string, string?>(), CancellationToken.None).GetAwaiter().GetResult();
            var match = VersionPattern().Match(output);
            return exit == 0 && match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>PG* variables for the programs, from an Npgsql connection string.</summary>
    public static Dictionary<string, string?> ConnectionEnvironment(string connectionString, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var environment = new Dictionary<string, string?>
        {
            ["PGHOST"] = builder.Host,
            ["PGPORT"] = builder.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = builder.Username,
            ["PGPASSWORD"] = builder.Password,
            ["PGPASSFILE"] = builder.Passfile,
            ["PGDATABASE"] = database ?? builder.Database,
            ["PGAPPNAME"] = "smartcrm-backup",
            ["PGCONNECT_TIMEOUT"] = builder.Timeout.ToString(CultureInfo.InvariantCulture),
            ["PGSSLMODE"] = builder.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            },
            ["PGSSLROOTCERT"] = builder.RootCertificate,
            ["PGSSLCERT"] = builder.SslCertificate,
            ["PGSSLKEY"] = builder.SslKey,
        };
        return environment;
    }

    /// <summary>Runs a program to its end; returns its exit code, standard output and standard error.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string path, IEnumerable<string> arguments,
        IDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new BackupException($"Could not start {path}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
