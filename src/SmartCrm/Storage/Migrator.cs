using System.Data.Common;
using EvolveDb;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SmartCrm.Storage;

/// <summary>Applies the versioned SQL scripts in Storage/Migrations/{Sqlite,Postgres} (embedded), oldest first.</summary>
public static class Migrator
{
    public static void Migrate(StorageOptions options, ILogger logger)
    {
        using DbConnection connection = options.IsPostgres
            ? new NpgsqlConnection(options.Database)
            : new SqliteConnection(options.SqliteConnectionString);
        if (!options.IsPostgres)
        {
            PrivateDataFolder.Prepare(options.DataDirectory);
            PrivateDataFolder.PrepareDatabaseFile(options.SqliteFile);
            connection.Open();
            SqlitePragmas.UseWriteAheadLog(connection);
        }
        var evolve = new Evolve(connection, message => logger.LogDebug("{Migration}", message))
        {
            EmbeddedResourceAssemblies = [typeof(Migrator).Assembly],
            EmbeddedResourceFilters = [ScriptFolder(options)],
            IsEraseDisabled = true,
            EnableClusterMode = options.IsPostgres,
            MetadataTableName = "schema_history",
        };
        evolve.Migrate();
        logger.LogInformation("Database schema at version {Version} ({Provider})", evolve.AppliedMigrations.LastOrDefault() ?? "current", options.IsPostgres ? "PostgreSQL" : "SQLite");
    }

    public static string ScriptFolder(StorageOptions options) =>
        "SmartCrm.Storage.Migrations." + (options.IsPostgres ? "Postgres" : "Sqlite");
}
