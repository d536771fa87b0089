using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>
/// Prepared statements on the import's connection and transaction. The importer writes with plain SQL, not through EF's change
/// tracker: a million rows through the tracker cost minutes, through a prepared statement seconds. Values are written in the
/// representation EF uses for each provider (decimals as REAL and tags as JSON text on SQLite, numeric and text[] on PostgreSQL).
/// </summary>
internal sealed class ImportSql(DbConnection connection, bool sqlite) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = [];

    public DbTransaction? Transaction { get; set; }
    public bool IsSqlite => sqlite;

    public object Money(decimal value) => sqlite ? (double)value : value;
    public object Tags(IReadOnlyList<string> tags) => sqlite ? JsonSerializer.Serialize(tags) : tags.ToArray();

    public DbCommand Command(string sql, params object?[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i;
                command.Parameters.Add(parameter);
            }
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        await Command(sql, values).ExecuteNonQueryAsync(cancellationToken);

    public async Task<long> InsertAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        Convert.ToInt64(await Command(sql + " RETURNING \"Id\"", values).ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        await Command(sql, values).ExecuteScalarAsync(cancellationToken);

    public async Task<DbDataReader> ReadAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        await Command(sql, values).ExecuteReaderAsync(cancellationToken);

    public async Task AuditAsync(string actor, string action, string entity, long entityId, object changes, DateTime at, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO \"audit_log\" (\"At\", \"Actor\", \"Action\", \"Entity\", \"EntityId\", \"Changes\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
            cancellationToken, at, actor, action, entity, entityId, JsonSerializer.Serialize(changes));

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
    }

    public static ImportSql For(CrmDb db) => new(db.Database.GetDbConnection(), db.IsSqlite);
}
