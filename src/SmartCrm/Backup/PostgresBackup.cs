using System.Data;
using Npgsql;
using SmartCrm.Storage;

namespace SmartCrm.Backup;

/// <summary>Backup and restore of a PostgreSQL database through pg_dump's custom format and pg_restore.</summary>
internal static class PostgresBackup
{
    public const string DatabaseEntry = "database/smartcrm.dump";

    public static async Task<BackupManifest> CreateAsync(StorageOptions storage, string output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var staging = Directory.CreateTempSubdirectory("smartcrm-backup-").FullName;
        try
        {
            var dump = Path.Combine(staging, "smartcrm.dump");
            await using var connection = new NpgsqlConnection(WithoutPooling(storage.Database!));
            await OpenAsync(connection, cancellationToken);
            var pgDump = PostgresTools.Find("pg_dump", connection.PostgreSqlVersion.Major);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            // pg_dump reads the snapshot this transaction exports, and the tables are summed inside the same transaction: the
            // manifest describes exactly the rows in the dump, however much the servers write meanwhile.
            string snapshot;
            await using (var export = connection.CreateCommand())
            {
                export.CommandText = "SELECT pg_export_snapshot()";
                snapshot = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
            }
            var dumping = PostgresTools.RunAsync(pgDump, ["--format=custom", "--no-password", "--snapshot=" + snapshot, "--file=" + dump],
                PostgresTools.ConnectionEnvironment(storage.Database!), cancellationToken);
            var tables = await TableChecksums.PostgresAsync(connection, cancellationToken);
            var version = await SchemaVersionAsync(connection, tables, cancellationToken);
            var (exit, _, error) = await dumping;
            await transaction.CommitAsync(cancellationToken);
            if (exit != 0) throw new BackupException($"pg_dump failed (exit code {exit}): {error.Trim()}");
            PrivateFiles.Restrict(dump);
            var manifest = new BackupManifest
            {
                CreatedAt = clock.GetUtcNow(), Provider = BackupManifest.Postgres, SchemaVersion = version, Database = DatabaseEntry, Tables = tables,
            };
            // The custom format is compressed already.
            return await BackupArchive.WriteAsync(output, manifest, dump, compressDatabase: false, Path.GetFullPath(storage.DataDirectory), cancellationToken);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    public static async Task<RestoreResult> RestoreAsync(StorageOptions storage, BackupManifest manifest, string staging, bool checkOnly,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var dump = Path.Combine(staging, "database");
        var target = new NpgsqlConnectionStringBuilder(storage.Database!).Database
            ?? throw new BackupException("The connection string names no database (Database=...): name the one to restore into.");
        var maintenance = WithDatabase(storage.Database!, target == "postgres" ? "template1" : "postgres");
        await using var server = new NpgsqlConnection(maintenance);
        await OpenAsync(server, cancellationToken);
        var pgRestore = PostgresTools.Find("pg_restore", server.PostgreSqlVersion.Major);
        var (listExit, _, listError) = await PostgresTools.RunAsync(pgRestore, ["--list", dump], new Dictionary<string, string?>(), cancellationToken);
        if (listExit != 0) throw new BackupException($"The backup's database dump cannot be read: {listError.Trim()}");

        // Restored first into a database of its own beside the live one, and checked there.
        var scratch = Shorten(target, 40) + "_restore_" + Guid.NewGuid().ToString("N")[..8];
        var like = await ExecuteScalarAsync<object>(server, """
            SELECT 'ENCODING ' || quote_literal(pg_encoding_to_char(encoding)) || ' LC_COLLATE ' || quote_literal(datcollate) || ' LC_CTYPE ' || quote_literal(datctype)
            FROM pg_database WHERE datname = $1
            """, cancellationToken, target);
        await ExecuteAsync(server, $"CREATE DATABASE {TableChecksums.Identifier(scratch)} TEMPLATE template0 {like as string}", cancellationToken);
        var swapped = false;
        try
        {
            var (exit, _, error) = await PostgresTools.RunAsync(pgRestore,
                ["--no-password", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + scratch, dump],
                PostgresTools.ConnectionEnvironment(storage.Database!, scratch), cancellationToken);
            if (exit != 0) throw new BackupException($"pg_restore failed on the backup's dump (exit code {exit}): {error.Trim()}");
            await using (var restored = new NpgsqlConnection(WithoutPooling(WithDatabase(storage.Database!, scratch))))
            {
                await OpenAsync(restored, cancellationToken);
                DatabaseBackup.Compare(manifest, await TableChecksums.PostgresAsync(restored, cancellationToken), "The backup");
            }
            if (checkOnly) return new RestoreResult(manifest, Replaced: false, Previous: null, DataFiles: 0);

            var dataFolder = Path.GetFullPath(storage.DataDirectory);
            using var held = DataFolderLock.TryExclusive(dataFolder)
                ?? throw new BackupException($"A SmartCrm server or command is using {dataFolder}: stop it before restoring. Nothing was replaced.");
            var sessions = await ExecuteScalarAsync<long>(server,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'", cancellationToken, target);
            if (sessions > 0)
            {
                throw new BackupException($"{sessions} sessions are connected to database {target}: stop the SmartCrm servers (and other clients) using it before restoring. Nothing was replaced.");
            }
            string? previous = null;
            if (like is not null)
            {
                previous = Shorten(target, 30) + "_before_restore_" + DatabaseBackup.Stamp(clock).ToLowerInvariant();
                await ExecuteAsync(server, $"ALTER DATABASE {TableChecksums.Identifier(target)} RENAME TO {TableChecksums.Identifier(previous)}", cancellationToken);
            }
            try
            {
                await ExecuteAsync(server, $"ALTER DATABASE {TableChecksums.Identifier(scratch)} RENAME TO {TableChecksums.Identifier(target)}", cancellationToken);
            }
            catch (PostgresException) when (previous is not null)
            {
                await ExecuteAsync(server, $"ALTER DATABASE {TableChecksums.Identifier(previous)} RENAME TO {TableChecksums.Identifier(target)}", cancellationToken);
                throw;
            }
            swapped = true;
            var files = BackupArchive.PlaceDataFiles(staging, dataFolder);
            return new RestoreResult(manifest, Replaced: true, previous, files);
        }
        catch (PostgresException e)
        {
            throw new BackupException($"PostgreSQL refused the restore: {e.MessageText}. Nothing was replaced.", e);
        }
        finally
        {
            if (!swapped) await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {TableChecksums.Identifier(scratch)} WITH (FORCE)", CancellationToken.None);
        }
    }

    private static async Task<string?> SchemaVersionAsync(NpgsqlConnection connection, List<TableSum> tables, CancellationToken cancellationToken)
    {
        if (!tables.Any(t => t.Name == "schema_history")) return null;
        var versions = new List<string?>();
        await using var history = connection.CreateCommand();
        history.CommandText = "SELECT version FROM schema_history";
        await using var reader = await history.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) versions.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
        return DatabaseBackup.NewestVersion(versions);
    }

    private static async Task OpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException)
        {
            throw new BackupException($"Cannot connect to PostgreSQL ({connection.Host}:{connection.Port}, database {connection.Database}): {e.Message}", e);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T?> ExecuteScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    private static string WithoutPooling(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static string Shorten(string name, int length) => name.Length <= length ? name : name[..length];
}
