using System.Globalization;
using System.Text.RegularExpressions;
using SmartCrm.Storage;

namespace SmartCrm.Backup;

/// <summary>What a restore did: the manifest it checked, and where the database it replaced was kept (null if there was none).</summary>
public sealed record RestoreResult(BackupManifest Manifest, bool Replaced, string? Previous, int DataFiles);

/// <summary>
/// `smartcrm backup` and `smartcrm restore` for either database. A backup is taken while the server runs (SQLite's online backup,
/// or pg_dump on an exported snapshot) and its tables are summed from the same consistent image. A restore unpacks and checks
/// the whole file, builds the database beside the live one and checks it table by table against the manifest, and only then
/// swaps it in; the database it replaces is kept under another name.
/// </summary>
public static partial class DatabaseBackup
{
    public static Task<BackupManifest> CreateAsync(StorageOptions storage, string output, TimeProvider clock, CancellationToken cancellationToken) =>
        storage.IsPostgres
            ? PostgresBackup.CreateAsync(storage, output, clock, cancellationToken)
            : SqliteBackup.CreateAsync(storage, output, clock, cancellationToken);

    /// <summary>Restores <paramref name="file"/>; with <paramref name="checkOnly"/> it verifies it fully and replaces nothing.</summary>
    public static async Task<RestoreResult> RestoreAsync(StorageOptions storage, string file, bool checkOnly, TimeProvider clock, CancellationToken cancellationToken)
    {
        var dataFolder = Path.GetFullPath(storage.DataDirectory);
        PrivateFiles.CreateFolder(dataFolder);
        // Staged inside the data folder, so the final moves are renames on one file system.
        var staging = Path.Combine(dataFolder, ".restore-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var manifest = await BackupArchive.UnpackAsync(Path.GetFullPath(file), staging, cancellationToken);
            var expected = storage.IsPostgres ? BackupManifest.Postgres : BackupManifest.Sqlite;
            if (manifest.Provider != expected)
            {
                throw new BackupException(manifest.Provider == BackupManifest.Sqlite
                    ? $"{file} is a backup of a SQLite database: restore it with --data DIR (without --database or SMARTCRM_DATABASE)."
                    : $"{file} is a backup of a PostgreSQL database: restore it with --database \"Host=...;Database=...\".");
            }
            if (SchemaNumber(manifest.SchemaVersion) is { } theirs && theirs > LatestMigration(storage))
            {
                throw new BackupException($"{file} holds schema version {theirs}, newer than this SmartCrm's ({LatestMigration(storage)}): restore it with the SmartCrm version that made it, or a newer one.");
            }
            return storage.IsPostgres
                ? await PostgresBackup.RestoreAsync(storage, manifest, staging, checkOnly, clock, cancellationToken)
                : await SqliteBackup.RestoreAsync(storage, manifest, staging, checkOnly, clock, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Throws unless the tables summed from a restored database are exactly the manifest's.</summary>
    public static void Compare(BackupManifest manifest, IReadOnlyList<TableSum> restored, string file)
    {
        var found = restored.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var table in manifest.Tables)
        {
            if (!found.Remove(table.Name, out var actual))
                throw new BackupException($"{file} is damaged: table {table.Name} is in its manifest but not in the database it holds.");
            if (actual.Rows != table.Rows)
                throw new BackupException($"{file} is damaged: table {table.Name} has {actual.Rows:N0} rows in the database it holds, {table.Rows:N0} in its manifest.");
            if (actual.Sha256 != table.Sha256)
                throw new BackupException($"{file} is damaged: the rows of table {table.Name} do not match their checksum in the manifest.");
        }
        if (found.Count > 0) throw new BackupException($"{file} is damaged: table {found.Keys.First()} is in the database it holds but not in its manifest.");
    }

    /// <summary>The newest migration this program carries for the provider.</summary>
    public static int LatestMigration(StorageOptions storage)
    {
        var prefix = Migrator.ScriptFolder(storage) + ".V";
        return typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => SchemaNumber(n[(prefix.Length - 1)..]) ?? 0)
            .DefaultIfEmpty(0).Max();
    }

    /// <summary>"5" or "V5__name.sql" → 5.</summary>
    public static int? SchemaNumber(string? version)
    {
        if (version is null) return null;
        var match = LeadingNumber().Match(version);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The latest version in Evolve's schema_history, by number.</summary>
    public static string? NewestVersion(IEnumerable<string?> versions) =>
        versions.Where(v => SchemaNumber(v) is not null).OrderByDescending(v => SchemaNumber(v)).FirstOrDefault();

    public static string Stamp(TimeProvider clock) => clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^V?(\d+)")]
    private static partial Regex LeadingNumber();
}
