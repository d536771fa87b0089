using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SmartCrm.Storage;

/// <summary>
/// Connections for plain SQL outside EF (telemetry's batches and COPY, the job leases' advisory locks), to the same database
/// as <see cref="CrmDb"/> and, on SQLite, with the same settings (<see cref="SqlitePragmas"/>). The caller disposes each one.
/// </summary>
public sealed class DatabaseConnections : IDisposable
{
    private readonly StorageOptions _options;
    private readonly NpgsqlDataSource? _postgres;

    public DatabaseConnections(IOptions<StorageOptions> options)
    {
        _options = options.Value;
        if (_options.IsPostgres) _postgres = NpgsqlDataSource.Create(_options.Database!);
    }

    public bool IsPostgres => _postgres is not null;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(cancellationToken);
        var connection = new SqliteConnection(_options.SqliteConnectionString);
        await connection.OpenAsync(cancellationToken);
        SqlitePragmas.Instance.Apply(connection);
        return connection;
    }

    public void Dispose() => _postgres?.Dispose();
}
