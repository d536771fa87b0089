using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SmartCrm.Devices;
using SmartCrm.Storage;

namespace SmartCrm.Telemetry;

/// <summary>One aggregate of a key over an interval that starts at <see cref="Ts"/>.</summary>
public readonly record struct Aggregate(long Ts, double Value);

public enum Aggregation { None, Avg, Min, Max, Sum, Count }

/// <summary>
/// Time series in plain SQL, outside EF: batches written in one transaction (SQLite) or by binary COPY (PostgreSQL, partitioned
/// by month), range reads and downsampled aggregates. A point with the same device, key and time as an earlier one replaces it.
/// </summary>
public sealed class TelemetryStore(DatabaseConnections connections)
{
    private readonly ConcurrentDictionary<string, int> _keyIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _keyNames = new();
    private readonly ConcurrentDictionary<long, bool> _partitions = new();

    public bool IsPostgres => connections.IsPostgres;

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => connections.OpenAsync(cancellationToken);

    /// <summary>Writes the points durably and marks their devices as seen at <paramref name="seenAt"/>; all or nothing.</summary>
    public async Task WriteAsync(IReadOnlyList<TelemetryPoint> points, DateTime seenAt, CancellationToken cancellationToken)
    {
        if (points.Count == 0) return;
        await using var connection = await OpenAsync(cancellationToken);
        var keys = await KeyIdsAsync(connection, points, cancellationToken);
        if (connection is NpgsqlConnection npgsql)
        {
            await EnsurePartitionsAsync(npgsql, points, cancellationToken);
            await WritePostgresAsync(npgsql, points, keys, seenAt, cancellationToken);
        }
        else
        {
            await WriteSqliteAsync((SqliteConnection)connection, points, keys, seenAt, cancellationToken);
        }
    }

    private static async Task WriteSqliteAsync(SqliteConnection connection, IReadOnlyList<TelemetryPoint> points, int[] keys, DateTime seenAt, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT OR REPLACE INTO telemetry ("DeviceId", "KeyId", "Ts", "Kind", "Num", "Str") VALUES ($d, $k, $t, $kind, $n, $s);
            INSERT INTO telemetry_latest ("DeviceId", "KeyId", "Ts", "Kind", "Num", "Str") VALUES ($d, $k, $t, $kind, $n, $s)
                ON CONFLICT ("DeviceId", "KeyId") DO UPDATE SET "Ts" = excluded."Ts", "Kind" = excluded."Kind", "Num" = excluded."Num", "Str" = excluded."Str"
                WHERE excluded."Ts" >= telemetry_latest."Ts";
            """;
        var d = insert.Parameters.Add("$d", SqliteType.Integer);
        var k = insert.Parameters.Add("$k", SqliteType.Integer);
        var t = insert.Parameters.Add("$t", SqliteType.Integer);
        var kind = insert.Parameters.Add("$kind", SqliteType.Integer);
        var n = insert.Parameters.Add("$n", SqliteType.Real);
        var s = insert.Parameters.Add("$s", SqliteType.Text);
        insert.Prepare();
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            d.Value = point.DeviceId;
            k.Value = keys[i];
            t.Value = point.Ts;
            kind.Value = (int)point.Kind;
            n.Value = point.Number is { } number ? number : DBNull.Value;
            s.Value = (object?)point.Text ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await MarkSeenAsync(connection, points, seenAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task WritePostgresAsync(NpgsqlConnection connection, IReadOnlyList<TelemetryPoint> points, int[] keys, DateTime seenAt, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var staging = new NpgsqlCommand("""
            CREATE TEMP TABLE IF NOT EXISTS telemetry_in ("DeviceId" bigint, "KeyId" integer, "Ts" bigint, "Kind" smallint, "Num" double precision, "Str" text, "Seq" integer)
                ON COMMIT DELETE ROWS
            """, connection, transaction))
        {
            await staging.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY telemetry_in (\"DeviceId\", \"KeyId\", \"Ts\", \"Kind\", \"Num\", \"Str\", \"Seq\") FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < points.Count; i++)
            {
                var point = points[i];
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(point.DeviceId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(keys[i], NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(point.Ts, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync((short)point.Kind, NpgsqlDbType.Smallint, cancellationToken);
                if (point.Number is { } number) await copy.WriteAsync(number, NpgsqlDbType.Double, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                if (point.Text is { } text) await copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        // The same device, key and time twice in one batch: the later one wins, as it would have in two batches.
        await using (var merge = new NpgsqlCommand("""
            INSERT INTO telemetry ("DeviceId", "KeyId", "Ts", "Kind", "Num", "Str")
                SELECT DISTINCT ON ("DeviceId", "KeyId", "Ts") "DeviceId", "KeyId", "Ts", "Kind", "Num", "Str" FROM telemetry_in
                ORDER BY "DeviceId", "KeyId", "Ts", "Seq" DESC
                ON CONFLICT ("DeviceId", "KeyId", "Ts") DO UPDATE SET "Kind" = excluded."Kind", "Num" = excluded."Num", "Str" = excluded."Str";
            INSERT INTO telemetry_latest ("DeviceId", "KeyId", "Ts", "Kind", "Num", "Str")
                SELECT DISTINCT ON ("DeviceId", "KeyId") "DeviceId", "KeyId", "Ts", "Kind", "Num", "Str" FROM telemetry_in
                ORDER BY "DeviceId", "KeyId", "Ts" DESC, "Seq" DESC
                ON CONFLICT ("DeviceId", "KeyId") DO UPDATE SET "Ts" = excluded."Ts", "Kind" = excluded."Kind", "Num" = excluded."Num", "Str" = excluded."Str"
                WHERE excluded."Ts" >= telemetry_latest."Ts";
            """, connection, transaction))
        {
            await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        await MarkSeenAsync(connection, points, seenAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task MarkSeenAsync(DbConnection connection, IReadOnlyList<TelemetryPoint> points, DateTime seenAt, CancellationToken cancellationToken)
    {
        var devices = new HashSet<long>();
        foreach (var point in points) devices.Add(point.DeviceId);
        await DeviceStatus.SeenAsync(connection, devices, seenAt, cancellationToken);
    }

    /// <summary>Monthly partitions for the months the points fall in, created once per month per process.</summary>
    private async Task EnsurePartitionsAsync(NpgsqlConnection connection, IReadOnlyList<TelemetryPoint> points, CancellationToken cancellationToken)
    {
        foreach (var point in points)
        {
            var month = DateTimeOffset.FromUnixTimeMilliseconds(point.Ts).UtcDateTime;
            var start = new DateTime(month.Year, month.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            var startMs = new DateTimeOffset(start).ToUnixTimeMilliseconds();
            if (_partitions.ContainsKey(startMs)) continue;
            var endMs = new DateTimeOffset(start.AddMonths(1)).ToUnixTimeMilliseconds();
            var name = string.Create(CultureInfo.InvariantCulture, $"telemetry_y{start.Year:D4}m{start.Month:D2}");
            await using var create = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF telemetry FOR VALUES FROM ({startMs}) TO ({endMs})"), connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
            {
                // Another node created it at the same moment.
            }
            _partitions[startMs] = true;
        }
    }

    private async Task<int[]> KeyIdsAsync(DbConnection connection, IReadOnlyList<TelemetryPoint> points, CancellationToken cancellationToken)
    {
        var ids = new int[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var key = points[i].Key;
            if (!_keyIds.TryGetValue(key, out var id)) id = await KeyIdAsync(connection, key, create: true, cancellationToken) ?? 0;
            ids[i] = id;
        }
        return ids;
    }

    private async Task<int?> KeyIdAsync(DbConnection connection, string key, bool create, CancellationToken cancellationToken)
    {
        if (_keyIds.TryGetValue(key, out var known)) return known;
        if (create)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO telemetry_keys (\"Name\") VALUES (@name) ON CONFLICT (\"Name\") DO NOTHING";
            AddParameter(insert, "@name", key);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT \"Id\" FROM telemetry_keys WHERE \"Name\" = @name";
        AddParameter(select, "@name", key);
        if (await select.ExecuteScalarAsync(cancellationToken) is not { } value) return null;
        var id = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        _keyIds[key] = id;
        _keyNames[id] = key;
        return id;
    }

    /// <summary>Raw points of each key in [from, to), oldest first, at most <paramref name="limit"/> per key.</summary>
    public async Task<Dictionary<string, List<TelemetryPoint>>> ReadAsync(long deviceId, IReadOnlyList<string> keys, long from, long to, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var result = new Dictionary<string, List<TelemetryPoint>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var list = result[key] = [];
            if (await KeyIdAsync(connection, key, create: false, cancellationToken) is not { } keyId) continue;
            await using var select = connection.CreateCommand();
            select.CommandText = """
                SELECT "Ts", "Kind", "Num", "Str" FROM telemetry
                WHERE "DeviceId" = @d AND "KeyId" = @k AND "Ts" >= @from AND "Ts" < @to ORDER BY "Ts" LIMIT @limit
                """;
            AddParameter(select, "@d", deviceId);
            AddParameter(select, "@k", keyId);
            AddParameter(select, "@from", from);
            AddParameter(select, "@to", to);
            AddParameter(select, "@limit", limit);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new TelemetryPoint(deviceId, key, reader.GetInt64(0), (ValueKind)reader.GetInt16(1),
                    reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }
        return result;
    }

    /// <summary>
    /// Numeric readings of each key in [from, to) folded into intervals of <paramref name="interval"/> ms; each aggregate
    /// carries the start of its interval. Intervals without readings are left out.
    /// </summary>
    public async Task<Dictionary<string, List<Aggregate>>> AggregateAsync(long deviceId, IReadOnlyList<string> keys, long from, long to, long interval,
        Aggregation aggregation, CancellationToken cancellationToken)
    {
        var function = aggregation switch
        {
            Aggregation.Avg => "avg(\"Num\")",
            Aggregation.Min => "min(\"Num\")",
            Aggregation.Max => "max(\"Num\")",
            Aggregation.Sum => "sum(\"Num\")",
            Aggregation.Count => "count(\"Num\")",
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Choose an aggregation."),
        };
        await using var connection = await OpenAsync(cancellationToken);
        var result = new Dictionary<string, List<Aggregate>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var list = result[key] = [];
            if (await KeyIdAsync(connection, key, create: false, cancellationToken) is not { } keyId) continue;
            await using var select = connection.CreateCommand();
            select.CommandText = $"""
                SELECT ("Ts" - @from) / @interval AS bucket, {function} FROM telemetry
                WHERE "DeviceId" = @d AND "KeyId" = @k AND "Ts" >= @from AND "Ts" < @to AND "Num" IS NOT NULL
                GROUP BY bucket ORDER BY bucket
                """;
            AddParameter(select, "@d", deviceId);
            AddParameter(select, "@k", keyId);
            AddParameter(select, "@from", from);
            AddParameter(select, "@to", to);
            AddParameter(select, "@interval", interval);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new Aggregate(from + reader.GetInt64(0) * interval, Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture)));
            }
        }
        return result;
    }

    /// <summary>The newest reading of every key of a device.</summary>
    public async Task<List<TelemetryPoint>> LatestAsync(long deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT k."Name", l."Ts", l."Kind", l."Num", l."Str" FROM telemetry_latest l JOIN telemetry_keys k ON k."Id" = l."KeyId"
            WHERE l."DeviceId" = @d ORDER BY k."Name"
            """;
        AddParameter(select, "@d", deviceId);
        var list = new List<TelemetryPoint>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TelemetryPoint(deviceId, reader.GetString(0), reader.GetInt64(1), (ValueKind)reader.GetInt16(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return list;
    }

    /// <summary>Drops readings older than <paramref name="before"/> (whole monthly partitions on PostgreSQL); returns rows or partitions removed.</summary>
    public async Task<long> DropBeforeAsync(long before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        long removed = 0;
        if (connection is NpgsqlConnection npgsql)
        {
            var old = new List<string>();
            await using (var list = new NpgsqlCommand("""
                SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'telemetry'::regclass AND c.relname <> 'telemetry_default'
                """, npgsql))
            await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    // "FOR VALUES FROM ('1700000000000') TO ('1702592000000')": the upper bound decides.
                    var bound = reader.GetString(1);
                    var to = bound[(bound.LastIndexOf('(') + 1)..bound.LastIndexOf(')')].Trim('\'');
                    if (long.Parse(to, CultureInfo.InvariantCulture) <= before) old.Add(reader.GetString(0));
                }
            }
            foreach (var partition in old)
            {
                await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {partition}", npgsql);
                await drop.ExecuteNonQueryAsync(cancellationToken);
                removed++;
            }
            _partitions.Clear();
        }
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM telemetry WHERE \"Ts\" < @before";
        AddParameter(delete, "@before", before);
        removed += await delete.ExecuteNonQueryAsync(cancellationToken);
        return removed;
    }

    /// <summary>
    /// Replaces the numeric readings in [from, to) by their average per device, key and interval (at the interval's start),
    /// in one transaction; text, boolean and JSON readings stay. Running it again changes nothing. Returns the rows removed.
    /// </summary>
    public async Task<long> DownsampleAsync(long from, long to, long interval, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var kind = (int)ValueKind.Number;
        await using (var fold = connection.CreateCommand())
        {
            fold.Transaction = transaction;
            fold.CommandText = $"""
                CREATE TEMP TABLE telemetry_folded AS
                    SELECT "DeviceId", "KeyId", ("Ts" / @interval) * @interval AS "Ts", avg("Num") AS "Num", count(*) AS "Rows"
                    FROM telemetry WHERE "Ts" >= @from AND "Ts" < @to AND "Kind" = {kind}
                    GROUP BY "DeviceId", "KeyId", ("Ts" / @interval) * @interval;
                DELETE FROM telemetry WHERE "Ts" >= @from AND "Ts" < @to AND "Kind" = {kind};
                INSERT INTO telemetry ("DeviceId", "KeyId", "Ts", "Kind", "Num", "Str") SELECT "DeviceId", "KeyId", "Ts", {kind}, "Num", NULL FROM telemetry_folded;
                """;
            AddParameter(fold, "@from", from);
            AddParameter(fold, "@to", to);
            AddParameter(fold, "@interval", interval);
            await fold.ExecuteNonQueryAsync(cancellationToken);
        }
        long removed;
        await using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT coalesce(sum(\"Rows\") - count(*), 0) FROM telemetry_folded";
            removed = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        await using (var drop = connection.CreateCommand())
        {
            drop.Transaction = transaction;
            drop.CommandText = "DROP TABLE telemetry_folded";
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
