using System.Data.Common;
using System.Text.Json;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;
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
        Convert.ToInt64(await Command(sql + " RETURNING \"Id\"", values).ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        await Command(sql, values).ExecuteScalarAsync(cancellationToken);

    public async Task<DbDataReader> ReadAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        await Command(sql, values).ExecuteReaderAsync(cancellationToken);

    public async Task AuditAsync(string actor, string action, string entity, long entityId, object changes, DateTime at, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO \"audit_log\" (\"At\", \"Actor\", \"Action\", \"Entity\", \"EntityId\", \"Changes\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
            cancellationToken, at, actor, action, entity, entityId, JsonSerializer.Serialize(changes));

    private readonly Dictionary<string, sqlite3_stmt> _statements = [];

    /// <summary>
    /// Runs a statement of many rows on SQLite with its values bound by position, straight on the connection's handle (inside its
    /// transaction). The ADO.NET command binds every parameter by name, and SQLite finds a name by comparing it with every name
    /// of the statement: for the hundreds of parameters of a multi-row INSERT that search cost more than the insert.
    /// </summary>
    public void ExecuteBound(string sql, List<object?> values, int start, int count)
    {
        var handle = ((SqliteConnection)connection).Handle!;
        if (!_statements.TryGetValue(sql, out var statement))
        {
            Check(handle, raw.sqlite3_prepare_v2(handle, sql, out statement));
            _statements[sql] = statement;
        }
        try
        {
            for (var i = 0; i < count; i++)
            {
                var index = i + 1;
                var rc = values[start + i] switch
                {
                    null => raw.sqlite3_bind_null(statement, index),
                    string text => raw.sqlite3_bind_text(statement, index, text),
                    long number => raw.sqlite3_bind_int64(statement, index, number),
                    int number => raw.sqlite3_bind_int64(statement, index, number),
                    bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
                    double real => raw.sqlite3_bind_double(statement, index, real),
                    // As Microsoft.Data.Sqlite and EF write dates, so that both read them back alike.
                    DateTime date => raw.sqlite3_bind_text(statement, index, date.ToString(@"yyyy-MM-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)),
                    var other => throw new ArgumentException($"ImportSql.ExecuteBound: no SQLite binding for {other.GetType().Name}.", nameof(values)),
                };
                Check(handle, rc);
            }
            int step;
            while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW) { }
            if (step != raw.SQLITE_DONE) Check(handle, step);
        }
        finally
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
        }
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc, raw.sqlite3_extended_errcode(handle));
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        foreach (var statement in _statements.Values) statement.Dispose();
    }

    public static ImportSql For(CrmDb db) => new(db.Database.GetDbConnection(), db.IsSqlite);
}
