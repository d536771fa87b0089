using System.CommandLine;
using System.Globalization;
using SmartCrm.Storage;

namespace SmartCrm.Backup;

/// <summary>`smartcrm backup --out FILE` and `smartcrm restore FILE`, on the database `serve` would use with the same options.</summary>
public static class BackupCommand
{
    public static IEnumerable<Command> Create(Option<string> data, Option<string?> database)
    {
        var output = new Option<string>("--out") { Description = "Backup file to write (mode 0600: it holds every record and the console's cookie keys)", Required = true };
        var backup = new Command("backup", "Back up the database, with a manifest of row counts and checksums per table, and the data folder's keys and uploads, while the server runs")
        {
            output, data, database,
        };
        backup.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var file = Path.GetFullPath(parse.GetValue(output)!);
                var manifest = await DatabaseBackup.CreateAsync(Storage(parse, data, database), file, TimeProvider.System, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Backed up {Describe(manifest)} and {manifest.Files.Count - 1} data-folder files to {file} ({new FileInfo(file).Length:N0} bytes)."));
                return 0;
            }
            catch (BackupException e)
            {
                Console.Error.WriteLine("Backup failed: " + e.Message);
                return 1;
            }
        });

        var input = new Argument<string>("file") { Description = "A file written by smartcrm backup" };
        var check = new Option<bool>("--check") { Description = "Only verify the file (every entry, and every table against the manifest); replace nothing" };
        var restore = new Command("restore", "Replace the database (and add the backed-up keys and uploads to the data folder) from a backup, after verifying it completely; the servers must be stopped")
        {
            input, check, data, database,
        };
        restore.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(input)!;
            try
            {
                var result = await DatabaseBackup.RestoreAsync(Storage(parse, data, database), file, parse.GetValue(check), TimeProvider.System, cancellationToken);
                if (!result.Replaced)
                {
                    Console.WriteLine($"{file} is a sound backup of {Describe(result.Manifest)}, taken {result.Manifest.CreatedAt:u}. Nothing was replaced (--check).");
                    return 0;
                }
                Console.WriteLine($"Restored {Describe(result.Manifest)}, taken {result.Manifest.CreatedAt:u}, and {result.DataFiles} data-folder files; every table matches its checksum.");
                if (result.Previous is not null) Console.WriteLine($"The database it replaced is kept as {result.Previous}; delete it when you no longer need it.");
                return 0;
            }
            catch (BackupException e)
            {
                Console.Error.WriteLine("Restore refused: " + e.Message);
                return 1;
            }
        });
        return [backup, restore];
    }

    private static string Describe(BackupManifest manifest) => string.Create(CultureInfo.InvariantCulture,
        $"a {(manifest.Provider == BackupManifest.Sqlite ? "SQLite" : "PostgreSQL")} database (schema {manifest.SchemaVersion ?? "?"}, {manifest.Tables.Count} tables, {manifest.Rows:N0} rows)");

    private static StorageOptions Storage(ParseResult parse, Option<string> data, Option<string?> database) => new()
    {
        DataDirectory = parse.GetValue(data) ?? "smartcrm-data",
        Database = parse.GetValue(database) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable("SMARTCRM_DATABASE"),
    };
}
