using Microsoft.Data.Sqlite;
using SmartCrm.Storage;

namespace SmartCrm.Backup;

/// <summary>Backup and restore of the SQLite database file in the data folder.</summary>
internal static class SqliteBackup
{
    public const string DatabaseEntry = "database/smartcrm.db";
    private const string DatabaseFile = "smartcrm.db";

    public static async Task<BackupManifest> CreateAsync(StorageOptions storage, string output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var dataFolder = Path.GetFullPath(storage.DataDirectory);
        var live = Path.Combine(dataFolder, DatabaseFile);
        if (!File.Exists(live)) throw new BackupException($"There is no SmartCrm database in {dataFolder} ({DatabaseFile} not found): name the data folder with --data.");
        var staging = Directory.CreateTempSubdirectory("smartcrm-backup-").FullName;
        try
        {
            var image = Path.Combine(staging, DatabaseFile);
            using (var source = Open(live))
            using (var copy = Open(image))
            {
                // One step of the online backup API copies every page inside a single read transaction: in WAL mode the server
                // keeps writing meanwhile, and the copy is the database as it was when the step began.
                source.BackupDatabase(copy);
            }
            var (tables, version) = await InspectAsync(image, prepare: true, cancellationToken);
            var manifest = new BackupManifest
            {
                CreatedAt = clock.GetUtcNow(), Provider = BackupManifest.Sqlite, SchemaVersion = version, Database = DatabaseEntry, Tables = tables,
            };
            return await BackupArchive.WriteAsync(output, manifest, image, compressDatabase: true, dataFolder, cancellationToken);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    public static async Task<RestoreResult> RestoreAsync(StorageOptions storage, BackupManifest manifest, string staging, bool checkOnly,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var image = Path.Combine(staging, "database");
        var (tables, _) = await InspectAsync(image, prepare: false, cancellationToken);
        DatabaseBackup.Compare(manifest, tables, "The backup");
        if (checkOnly) return new RestoreResult(manifest, Replaced: false, Previous: null, DataFiles: 0);

        var dataFolder = Path.GetFullPath(storage.DataDirectory);
        using var held = DataFolderLock.TryExclusive(dataFolder)
            ?? throw new BackupException($"A SmartCrm server or command is using {dataFolder}: stop it (smartcrm serve) before restoring. Nothing was replaced.");
        var live = Path.Combine(dataFolder, DatabaseFile);
        string? previous = null;
        if (File.Exists(live))
        {
            // Fold the write-ahead log into the file first, so the kept copy is whole on its own.
            using (var connection = Open(live))
            using (var checkpoint = connection.CreateCommand())
            {
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                using var reader = checkpoint.ExecuteReader();
                if (reader.Read() && reader.GetInt32(0) != 0)
                {
                    throw new BackupException($"{live} is busy (another program has it open): close it before restoring. Nothing was replaced.");
                }
            }
            previous = $"{live}.before-restore-{DatabaseBackup.Stamp(clock)}";
            File.Move(live, previous);
            foreach (var suffix in new[] { "-wal", "-shm", "-journal" }) File.Delete(live + suffix);
        }
        PrivateFiles.Restrict(image);
        File.Move(image, live);
        var files = BackupArchive.PlaceDataFiles(staging, dataFolder);
        return new RestoreResult(manifest, Replaced: true, previous, files);
    }

    /// <summary>Checks an image (integrity_check) and sums its tables; <paramref name="prepare"/> makes it a self-contained rollback-journal file first.</summary>
    private static async Task<(List<TableSum> Tables, string? Version)> InspectAsync(string image, bool prepare, CancellationToken cancellationToken)
    {
        try
        {
            using var connection = Open(image);
            await using (var check = connection.CreateCommand())
            {
                check.CommandText = (prepare ? "PRAGMA journal_mode=DELETE; " : "") + "PRAGMA integrity_check";
                var verdict = new List<string>();
                await using var reader = await check.ExecuteReaderAsync(cancellationToken);
                do
                {
                    while (await reader.ReadAsync(cancellationToken)) verdict.Add(reader.GetString(0));
                }
                while (await reader.NextResultAsync(cancellationToken));
                if (verdict[^1] != "ok") throw new BackupException($"The backup's database is damaged: {string.Join("; ", verdict.TakeLast(5))}.");
            }
            var tables = await TableChecksums.SqliteAsync(connection, cancellationToken);
            var versions = new List<string?>();
            if (tables.Any(t => t.Name == "schema_history"))
            {
                await using var history = connection.CreateCommand();
                history.CommandText = "SELECT version FROM schema_history";
                await using var reader = await history.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) versions.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
            }
            return (tables, DatabaseBackup.NewestVersion(versions));
        }
        catch (SqliteException e)
        {
            throw new BackupException($"The backup's database cannot be read: {e.Message}", e);
        }
    }

    /// <summary>A connection of its own (no pool), so no handle stays open on a file that is about to be moved.</summary>
    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA busy_timeout=30000";
        pragmas.ExecuteNonQuery();
        return connection;
    }
}
