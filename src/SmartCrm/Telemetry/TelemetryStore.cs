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
/// by month), range reads and downsampled aggregates. A reading is identified by device, key, Ts and Seq (see
/// <see cref="TelemetryClock"/>): a point with the same four as an earlier one replaces it, which only a repeated explicit "ts" can
/// make. Reads answer in milliseconds, ordered by (Ts, Seq).
/// </summary>
public sealed class TelemetryStore(DatabaseConnections connections) : IDisposable
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
        if (IsPostgres)
        {
            await using var connection = (NpgsqlConnection)await OpenAsync(cancellationToken);
            var keys = await KeyIdsAsync(connection, points, cancellationToken);
            await EnsurePartitionsAsync(connection, points, cancellationToken);
            await WritePostgresAsync(connection, points, keys, seenAt, cancellationToken);
            return;
        }
        await _sqliteGate.WaitAsync(cancellationToken);
        try
        {
            _sqliteBatches ??= await SqliteBatches.OpenAsync(this, cancellationToken);
            try
            {
                var keys = await KeyIdsAsync(_sqliteBatches.Connection, points, cancellationToken);
                await _sqliteBatches.WriteAsync(points, keys, seenAt, cancellationToken);
            }
            catch
            {
                // Start the next batch on a fresh connection, whatever state this one was left in.
                _sqliteBatches.Dispose();
                _sqliteBatches = null;
                throw;
            }
        }
        finally
        {
            _sqliteGate.Release();
        }
    }

    private readonly SemaphoreSlim _sqliteGate = new(1, 1);
    private SqliteBatches? _sqliteBatches;

    /// <summary>
    /// The SQLite connection batches are written on, with its statements prepared once: opening a pooled connection, setting
    /// its pragmas and preparing four statements for every batch cost as much as writing a small batch.
    /// </summary>
    private sealed class SqliteBatches : IDisposable
    {
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _latest;
        private readonly SqliteCommand _seen;
        private readonly SqliteCommand _writer;

        private SqliteBatches(SqliteConnection connection)
        {
            Connection = connection;
            _insert = Prepare("""
                INSERT OR REPLACE INTO telemetry ("DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str") VALUES ($d, $k, $t, $q, $kind, $n, $s)
                """, Point);
            _latest = Prepare("""
                INSERT INTO telemetry_latest ("DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str") VALUES ($d, $k, $t, $q, $kind, $n, $s)
                    ON CONFLICT ("DeviceId", "KeyId") DO UPDATE SET "Ts" = excluded."Ts", "Seq" = excluded."Seq", "Kind" = excluded."Kind", "Num" = excluded."Num", "Str" = excluded."Str"
                    WHERE (excluded."Ts", excluded."Seq") >= (telemetry_latest."Ts", telemetry_latest."Seq")
                """, Point);
            _seen = Prepare(DeviceStatus.SeenSql, [("$at", SqliteType.Text), ("$id", SqliteType.Integer)]);
            _writer = Prepare("UPDATE telemetry_writers SET \"Until\" = $until WHERE \"Id\" = $writer AND \"Until\" < $until", [("$until", SqliteType.Integer), ("$writer", SqliteType.Integer)]);
        }

        private static readonly (string, SqliteType)[] Point =
            [("$d", SqliteType.Integer), ("$k", SqliteType.Integer), ("$t", SqliteType.Integer), ("$q", SqliteType.Integer), ("$kind", SqliteType.Integer), ("$n", SqliteType.Real), ("$s", SqliteType.Text)];

        public SqliteConnection Connection { get; }

        public static async Task<SqliteBatches> OpenAsync(TelemetryStore store, CancellationToken cancellationToken) =>
            new((SqliteConnection)await store.OpenAsync(cancellationToken));

        private SqliteCommand Prepare(string sql, (string Name, SqliteType Type)[] parameters)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
            command.Prepare();
            return command;
        }

        public async Task WriteAsync(IReadOnlyList<TelemetryPoint> points, int[] keys, DateTime seenAt, CancellationToken cancellationToken)
        {
            await using var transaction = (SqliteTransaction)await Connection.BeginTransactionAsync(cancellationToken);
            _insert.Transaction = _latest.Transaction = _seen.Transaction = _writer.Transaction = transaction;
            for (var i = 0; i < points.Count; i++)
            {
                Bind(_insert, points[i], keys[i]);
                await _insert.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var i in NewestPerKey(points, keys))
            {
                Bind(_latest, points[i], keys[i]);
                await _latest.ExecuteNonQueryAsync(cancellationToken);
            }
            _seen.Parameters[0].Value = seenAt;
            foreach (var device in Devices(points))
            {
                _seen.Parameters[1].Value = device;
                await _seen.ExecuteNonQueryAsync(cancellationToken);
            }
            if (NewestServerTime(points) is var (writer, until) && writer != 0)
            {
                _writer.Parameters[0].Value = until;
                _writer.Parameters[1].Value = writer;
                await _writer.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        private static void Bind(SqliteCommand command, in TelemetryPoint point, int key)
        {
            var p = command.Parameters;
            p[0].Value = point.DeviceId;
            p[1].Value = key;
            p[2].Value = point.Ts;
            p[3].Value = point.Seq;
            p[4].Value = (int)point.Kind;
            p[5].Value = point.Number is { } number ? number : DBNull.Value;
            p[6].Value = (object?)point.Text ?? DBNull.Value;
        }

        public void Dispose()
        {
            foreach (var command in new[] { _insert, _latest, _seen, _writer }) command.Dispose();
            Connection.Dispose();
        }
    }

    /// <summary>The devices of a batch, in id order (the order rows are locked in).</summary>
    private static SortedSet<long> Devices(IReadOnlyList<TelemetryPoint> points)
    {
        var devices = new SortedSet<long>();
        foreach (var point in points) devices.Add(point.DeviceId);
        return devices;
    }

    /// <summary>The writer of the batch's server times and the newest of them; (0, 0) when every point came with its own ts.</summary>
    private static (long Writer, long Until) NewestServerTime(IReadOnlyList<TelemetryPoint> points)
    {
        long writer = 0, until = 0;
        foreach (var point in points)
        {
            var of = point.Seq >> TelemetryClock.CounterBits;
            if (of == 0) continue;
            writer = of;
            until = Math.Max(until, point.Ts);
        }
        return (writer, until);
    }

    /// <summary>
    /// Per device and key, the index of the batch's newest point by (Ts, Seq), the later one on a tie: only it can become the
    /// latest value, so the latest table is written once per key and batch instead of once per point.
    /// </summary>
    private static List<int> NewestPerKey(IReadOnlyList<TelemetryPoint> points, int[] keys)
    {
        var newest = new Dictionary<(long Device, int Key), int>();
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(newest, (point.DeviceId, keys[i]), out var exists);
            if (!exists || point.Ts > points[slot].Ts || (point.Ts == points[slot].Ts && point.Seq >= points[slot].Seq)) slot = i;
        }
        return [.. newest.Values];
    }

    /// <summary>Records the newest server time this writer committed, from which its successor continues after a restart.</summary>
    private static async Task MarkWriterAsync(DbConnection connection, IReadOnlyList<TelemetryPoint> points, CancellationToken cancellationToken)
    {
        var (writer, until) = NewestServerTime(points);
        if (writer == 0) return;
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE telemetry_writers SET \"Until\" = @until WHERE \"Id\" = @writer AND \"Until\" < @until";
        update.AddParameter("@until", until);
        update.AddParameter("@writer", writer);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Registers this process as a writer of server times: its id, and the newest server time any writer committed before
    /// (what <see cref="TelemetryClock.Start"/> continues from).
    /// </summary>
    public async Task<(long Writer, long Until)> RegisterWriterAsync(string host, DateTime startedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        long until;
        await using (var newest = connection.CreateCommand())
        {
            newest.CommandText = "SELECT coalesce(max(\"Until\"), 0) FROM telemetry_writers";
            until = Convert.ToInt64(await newest.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO telemetry_writers (\"Host\", \"StartedAt\", \"Until\") VALUES (@host, @at, @until) RETURNING \"Id\"";
        insert.AddParameter("@host", host.Length <= 200 ? host : host[..200]);
        insert.AddParameter("@at", startedAt);
        insert.AddParameter("@until", until);
        var writer = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return (writer, until);
    }

    private static async Task WritePostgresAsync(NpgsqlConnection connection, IReadOnlyList<TelemetryPoint> points, int[] keys, DateTime seenAt, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var staging = new NpgsqlCommand("""
            CREATE TEMP TABLE IF NOT EXISTS telemetry_batch ("DeviceId" bigint, "KeyId" integer, "Ts" bigint, "Seq" bigint, "Kind" smallint, "Num" double precision, "Str" text, "Pos" integer)
                ON COMMIT DELETE ROWS
            """, connection, transaction))
        {
            await staging.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY telemetry_batch (\"DeviceId\", \"KeyId\", \"Ts\", \"Seq\", \"Kind\", \"Num\", \"Str\", \"Pos\") FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < points.Count; i++)
            {
                var point = points[i];
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(point.DeviceId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(keys[i], NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(point.Ts, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(point.Seq, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync((short)point.Kind, NpgsqlDbType.Smallint, cancellationToken);
                if (point.Number is { } number) await copy.WriteAsync(number, NpgsqlDbType.Double, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                if (point.Text is { } text) await copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken);
                else await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        // The same explicit time twice in one batch: the later one wins, as it would have in two batches. Rows go in key order,
        // so two nodes writing the same devices' latest values lock them in the same order and cannot deadlock.
        await using (var merge = new NpgsqlCommand("""
            INSERT INTO telemetry ("DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str")
                SELECT DISTINCT ON ("DeviceId", "KeyId", "Ts", "Seq") "DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str" FROM telemetry_batch
                ORDER BY "DeviceId", "KeyId", "Ts", "Seq", "Pos" DESC
                ON CONFLICT ("DeviceId", "KeyId", "Ts", "Seq") DO UPDATE SET "Kind" = excluded."Kind", "Num" = excluded."Num", "Str" = excluded."Str";
            INSERT INTO telemetry_latest ("DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str")
                SELECT DISTINCT ON ("DeviceId", "KeyId") "DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str" FROM telemetry_batch
                ORDER BY "DeviceId", "KeyId", "Ts" DESC, "Seq" DESC, "Pos" DESC
                ON CONFLICT ("DeviceId", "KeyId") DO UPDATE SET "Ts" = excluded."Ts", "Seq" = excluded."Seq", "Kind" = excluded."Kind", "Num" = excluded."Num", "Str" = excluded."Str"
                WHERE (excluded."Ts", excluded."Seq") >= (telemetry_latest."Ts", telemetry_latest."Seq");
            """, connection, transaction))
        {
            await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        await MarkSeenAsync(connection, points, seenAt, cancellationToken);
        await MarkWriterAsync(connection, points, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static Task MarkSeenAsync(NpgsqlConnection connection, IReadOnlyList<TelemetryPoint> points, DateTime seenAt, CancellationToken cancellationToken) =>
        DeviceStatus.SeenAsync(connection, [.. Devices(points)], seenAt, cancellationToken);

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
            insert.AddParameter("@name", key);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT \"Id\" FROM telemetry_keys WHERE \"Name\" = @name";
        select.AddParameter("@name", key);
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
                SELECT "Ts", "Kind", "Num", "Str", "Seq" FROM telemetry
                WHERE "DeviceId" = @d AND "KeyId" = @k AND "Ts" >= @from AND "Ts" < @to ORDER BY "Ts", "Seq" LIMIT @limit
                """;
            select.AddParameter("@d", deviceId);
            select.AddParameter("@k", keyId);
            select.AddParameter("@from", from);
            select.AddParameter("@to", to);
            select.AddParameter("@limit", limit);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new TelemetryPoint(deviceId, key, reader.GetInt64(0), (ValueKind)reader.GetInt16(1),
                    reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetString(3)) { Seq = reader.GetInt64(4) });
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
            select.AddParameter("@d", deviceId);
            select.AddParameter("@k", keyId);
            select.AddParameter("@from", from);
            select.AddParameter("@to", to);
            select.AddParameter("@interval", interval);
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
            SELECT k."Name", l."Ts", l."Kind", l."Num", l."Str", l."Seq" FROM telemetry_latest l JOIN telemetry_keys k ON k."Id" = l."KeyId"
            WHERE l."DeviceId" = @d ORDER BY k."Name"
            """;
        select.AddParameter("@d", deviceId);
        var list = new List<TelemetryPoint>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TelemetryPoint(deviceId, reader.GetString(0), reader.GetInt64(1), (ValueKind)reader.GetInt16(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetString(4)) { Seq = reader.GetInt64(5) });
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
        if (connection is NpgsqlConnection)
        {
            // MVCC: one statement for what the dropped partitions did not hold; writers are not blocked meanwhile.
            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM telemetry WHERE \"Ts\" < @before";
            delete.AddParameter("@before", before);
            return removed + await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        // SQLite has one writer at a time: delete in bounded transactions so that ingestion waits milliseconds, not the whole
        // purge, whatever the fleet wrote.
        await using var chunk = connection.CreateCommand();
        chunk.CommandText = $"""
            DELETE FROM telemetry WHERE ("DeviceId", "KeyId", "Ts", "Seq") IN
                (SELECT "DeviceId", "KeyId", "Ts", "Seq" FROM telemetry WHERE "Ts" < @before LIMIT {RetentionBatchRows})
            """;
        chunk.AddParameter("@before", before);
        int deleted;
        do
        {
            deleted = await chunk.ExecuteNonQueryAsync(cancellationToken);
            removed += deleted;
        }
        while (deleted > 0);
        return removed;
    }

    /// <summary>Rows one retention transaction deletes at most on SQLite.</summary>
    public const int RetentionBatchRows = 20_000;

    /// <summary>Devices whose readings one downsampling transaction folds.</summary>
    public const int DownsampleBatchDevices = 1_000;

    /// <summary>The <see cref="TelemetryPoint.Seq"/> of an average that replaced the readings of its interval.</summary>
    public const long FoldedSeq = 1;

    /// <summary>
    /// Replaces the numeric readings in [from, to) by their average per device, key and interval (at the interval's start,
    /// with <see cref="FoldedSeq"/>); text, boolean and JSON readings stay. Runs in one transaction per
    /// <see cref="DownsampleBatchDevices"/> devices, so the work of one transaction does not grow with the fleet. Running it again
    /// changes nothing. Returns the rows removed.
    /// </summary>
    public async Task<long> DownsampleAsync(long from, long to, long interval, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        long first, last;
        await using (var range = connection.CreateCommand())
        {
            range.CommandText = "SELECT coalesce(min(\"Id\"), 0), coalesce(max(\"Id\"), -1) FROM devices";
            await using var reader = await range.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        long removed = 0;
        for (var low = first; low <= last; low += DownsampleBatchDevices)
        {
            removed += await DownsampleDevicesAsync(connection, low, low + DownsampleBatchDevices, from, to, interval, cancellationToken);
        }
        return removed;
    }

    private static async Task<long> DownsampleDevicesAsync(DbConnection connection, long lowDevice, long highDevice, long from, long to, long interval,
        CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var kind = (int)ValueKind.Number;
        var where = $"\"DeviceId\" >= @low AND \"DeviceId\" < @high AND \"Ts\" >= @from AND \"Ts\" < @to AND \"Kind\" = {kind}";
        await using (var fold = connection.CreateCommand())
        {
            fold.Transaction = transaction;
            fold.CommandText = $"""
                CREATE TEMP TABLE telemetry_folded AS
                    SELECT "DeviceId", "KeyId", ("Ts" / @interval) * @interval AS "Ts", avg("Num") AS "Num", count(*) AS "Rows"
                    FROM telemetry WHERE {where}
                    GROUP BY "DeviceId", "KeyId", ("Ts" / @interval) * @interval;
                DELETE FROM telemetry WHERE {where};
                INSERT INTO telemetry ("DeviceId", "KeyId", "Ts", "Seq", "Kind", "Num", "Str") SELECT "DeviceId", "KeyId", "Ts", {FoldedSeq}, {kind}, "Num", NULL FROM telemetry_folded;
                """;
            fold.AddParameter("@low", lowDevice);
            fold.AddParameter("@high", highDevice);
            fold.AddParameter("@from", from);
            fold.AddParameter("@to", to);
            fold.AddParameter("@interval", interval);
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

    public void Dispose()
    {
        _sqliteBatches?.Dispose();
        _sqliteGate.Dispose();
    }
}
