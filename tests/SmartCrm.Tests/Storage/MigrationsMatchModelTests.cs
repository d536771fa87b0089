using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Storage;

/// <summary>
/// dotnet-ef is not available, so migrations are hand-written SQL: this proves that the schema they build is the one EF's model
/// would create (tables, columns with type and nullability, indexes, foreign keys), on each provider.
/// </summary>
public sealed class MigrationsMatchModelTests
{
    // Objects the migrations add beyond what EF models: the migration history, the full-text search machinery, telemetry (plain SQL).
    private static readonly string[] NotInModel = ["schema_history", "customer_search", "IX_customers_search", "telemetry"];

    [Fact]
    public void Sqlite_migrations_build_the_models_schema()
    {
        var migrated = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
        var modelled = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
        var migratedOptions = new StorageOptions { DataDirectory = migrated };
        Migrator.Migrate(migratedOptions, NullLogger.Instance);
        var modelOptions = new StorageOptions { DataDirectory = modelled };
        Directory.CreateDirectory(modelled);
        using (var db = Context(modelOptions)) db.Database.EnsureCreated();

        Describe(SqliteSchema, migratedOptions.SqliteConnectionString).ShouldBe(Describe(SqliteSchema, modelOptions.SqliteConnectionString));
    }

    [Fact]
    public void Postgres_migrations_build_the_models_schema()
    {
        if (PostgresDatabase.SkipReason is { } reason)
        {
            // Only outside CI; in CI the variable is always set, and a missing server fails below.
            Console.WriteLine("Skipping: " + reason);
            return;
        }
        using var migrated = PostgresDatabase.Create();
        using var modelled = PostgresDatabase.Create();
        Migrator.Migrate(new StorageOptions { Database = migrated.ConnectionString }, NullLogger.Instance);
        using (var db = Context(new StorageOptions { Database = modelled.ConnectionString })) db.Database.EnsureCreated();

        Describe(PostgresSchema, migrated.ConnectionString).ShouldBe(Describe(PostgresSchema, modelled.ConnectionString));
    }

    [Fact]
    public void The_comparison_sees_a_missing_column()
    {
        var folder = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
        var options = new StorageOptions { DataDirectory = folder };
        Migrator.Migrate(options, NullLogger.Instance);
        var before = Describe(SqliteSchema, options.SqliteConnectionString);
        using (var connection = new SqliteConnection(options.SqliteConnectionString))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "ALTER TABLE notes DROP COLUMN \"Author\"";
            drop.ExecuteNonQuery();
        }
        Describe(SqliteSchema, options.SqliteConnectionString).ShouldNotBe(before);
    }

    private static CrmDb Context(StorageOptions options)
    {
        var builder = new DbContextOptionsBuilder<CrmDb>();
        StorageSetup.Configure(builder, options);
        return new CrmDb(builder.Options);
    }

    private static List<string> Describe(Func<DbConnection, IEnumerable<string>> schema, string connectionString)
    {
        using DbConnection connection = connectionString.Contains("Host=", StringComparison.Ordinal)
            ? new NpgsqlConnection(connectionString)
            : new SqliteConnection(connectionString);
        connection.Open();
        var rows = schema(connection).Where(r => !NotInModel.Any(n => r.Contains(n, StringComparison.Ordinal))).ToList();
        rows.Sort(StringComparer.Ordinal);
        rows.Count.ShouldBeGreaterThan(20);
        return rows;
    }

    private static IEnumerable<string> SqliteSchema(DbConnection connection)
    {
        var tables = Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'customer_search%'")
            .Select(r => r[0]).ToList();
        foreach (var table in tables)
        {
            yield return $"table {table}";
            foreach (var c in Query(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"))
                yield return $"column {table}.{c[0]} {c[1]} notnull={c[2]} pk={c[3]}";
            foreach (var i in Query(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c'"))
            {
                var columns = string.Join(",", Query(connection, $"SELECT name FROM pragma_index_info('{i[0]}') ORDER BY seqno").Select(r => r[0]));
                yield return $"index {table}.{i[0]} ({columns}) unique={i[1]}";
            }
            foreach (var f in Query(connection, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')"))
                yield return $"fk {table}.{f[1]} -> {f[0]}.{f[2]} on delete {f[3]}";
        }
    }

    private static IEnumerable<string> PostgresSchema(DbConnection connection)
    {
        foreach (var c in Query(connection, """
            SELECT table_name, column_name, data_type, is_nullable, coalesce(character_maximum_length, -1), coalesce(numeric_precision, -1), coalesce(numeric_scale, -1), coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            """))
        {
            yield return $"column {c[0]}.{c[1]} {c[2]}({c[4]},{c[5]},{c[6]}) nullable={c[3]} identity={c[7].StartsWith("nextval", StringComparison.Ordinal) || c[7].Length == 0}";
        }
        foreach (var i in Query(connection, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
            yield return $"index {i[0]} {i[1]}";
        foreach (var f in Query(connection, """
            SELECT tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name, rc.delete_rule
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
            JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
            JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
            WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
            """))
        {
            yield return $"fk {f[0]}.{f[1]} -> {f[2]}.{f[3]} on delete {f[4]}";
        }
    }

    private static List<string[]> Query(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
            rows.Add(row);
        }
        return rows;
    }
}
