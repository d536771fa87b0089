using Npgsql;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>
/// A fresh database on the real PostgreSQL server named by SMARTCRM_TEST_POSTGRES (a connection string to any database
/// the user may create databases from), dropped afterwards. Outside CI the tests that need it are skipped when it is unset;
/// in CI (CI=true) they fail instead, so a missing server can never pass silently.
/// </summary>
public sealed class PostgresDatabase : IDisposable
{
    private readonly string _server;
    private readonly string _name;

    private PostgresDatabase(string server, string name, string connectionString)
    {
        _server = server;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable("SMARTCRM_TEST_POSTGRES");

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can (never non-null in CI: there they fail).</summary>
    public static string? SkipReason => ServerConnectionString is null && !InCi
        ? "SMARTCRM_TEST_POSTGRES is not set (a PostgreSQL connection string); .ci/run sets it"
        : null;

    public static PostgresDatabase Create()
    {
        var server = ServerConnectionString
            ?? throw new InvalidOperationException("SMARTCRM_TEST_POSTGRES is not set: PostgreSQL tests need a real server (.ci/run starts one).");
        var name = "smartcrm_test_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new PostgresDatabase(server, name, builder.ConnectionString);
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }
}
