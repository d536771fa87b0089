using System.Buffers.Binary;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SmartCrm.Backup;

/// <summary>
/// Row counts and SHA-256 per table, with rows read in primary-key order and every value length-prefixed, so the same rows give
/// the same sum whatever the file layout, and a backup can be proven identical after it is restored. Tables are found in the
/// database's own catalogue, so tables added by later migrations are covered without a list here.
/// </summary>
public static class TableChecksums
{
    public static async Task<List<TableSum>> SqliteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            // Virtual tables (full-text search) are read through their shadow tables, which are ordinary tables listed here.
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) tables.Add(reader.GetString(0));
        }
        tables.Sort(StringComparer.Ordinal);
        var sums = new List<TableSum>(tables.Count);
        foreach (var table in tables)
        {
            var key = new List<(int Order, string Column)>();
            await using (var info = connection.CreateCommand())
            {
                info.CommandText = $"SELECT pk, name FROM pragma_table_info({Literal(table)}) WHERE pk > 0";
                await using var reader = await info.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) key.Add((reader.GetInt32(0), reader.GetString(1)));
            }
            // Without a declared key a rowid table is in rowid order, which a page-for-page copy keeps.
            var order = key.Count == 0 ? "rowid" : string.Join(", ", key.OrderBy(k => k.Order).Select(k => Identifier(k.Column)));
            await using var rows = connection.CreateCommand();
            rows.CommandText = $"SELECT * FROM {Identifier(table)} ORDER BY {order}";
            sums.Add(await SumAsync(table, rows, WriteSqliteRow, cancellationToken));
        }
        return sums;
    }

    /// <summary>
    /// Every table of every user schema (a partitioned table once, through its parent). Values are compared as PostgreSQL prints
    /// them, with the session settings that printing depends on fixed, so two servers in different time zones agree.
    /// </summary>
    public static async Task<List<TableSum>> PostgresAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var settings = connection.CreateCommand())
        {
            settings.CommandText = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'";
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }
        var tables = new List<(string Name, string Qualified, uint Oid)>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = """
                SELECT n.nspname, c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
                """;
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var schema = reader.GetString(0);
                var name = reader.GetString(1);
                tables.Add((schema == "public" ? name : $"{schema}.{name}", $"{Identifier(schema)}.{Identifier(name)}", reader.GetFieldValue<uint>(2)));
            }
        }
        tables.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var sums = new List<TableSum>(tables.Count);
        foreach (var (name, qualified, oid) in tables)
        {
            var key = new List<string>();
            await using (var info = connection.CreateCommand())
            {
                info.CommandText = """
                    SELECT a.attname, a.attcollation <> 0 FROM pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.position
                    """;
                info.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid, Value = oid });
                await using var reader = await info.ExecuteReaderAsync(cancellationToken);
                // Text keys in byte order: the restored database may have been created with another collation.
                while (await reader.ReadAsync(cancellationToken)) key.Add(Identifier(reader.GetString(0)) + (reader.GetBoolean(1) ? " COLLATE \"C\"" : ""));
            }
            var order = key.Count == 0 ? "t::text COLLATE \"C\"" : string.Join(", ", key.Select(k => "t." + k));
            await using var rows = connection.CreateCommand();
            rows.CommandText = $"SELECT t::text FROM {qualified} AS t ORDER BY {order}";
            sums.Add(await SumAsync(name, rows, WriteTextRow, cancellationToken));
        }
        return sums;
    }

    private static async Task<TableSum> SumAsync(string table, DbCommand command, Action<DbDataReader, IncrementalHash, byte[]> write, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var scratch = new byte[9];
        long rows = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            write(reader, hash, scratch);
            rows++;
        }
        return new TableSum(table, rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static void WriteTextRow(DbDataReader reader, IncrementalHash hash, byte[] scratch) => AppendText(hash, scratch, reader.GetString(0));

    /// <summary>Each value as a type tag and its bytes: integers and reals exactly, text as UTF-8 and blobs as they are, both length-prefixed.</summary>
    private static void WriteSqliteRow(DbDataReader reader, IncrementalHash hash, byte[] scratch)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            switch (reader.IsDBNull(i) ? null : reader.GetValue(i))
            {
                case null:
                    scratch[0] = 0;
                    hash.AppendData(scratch, 0, 1);
                    break;
                case long integer:
                    scratch[0] = 1;
                    BinaryPrimitives.WriteInt64LittleEndian(scratch.AsSpan(1), integer);
                    hash.AppendData(scratch, 0, 9);
                    break;
                case double real:
                    scratch[0] = 2;
                    BinaryPrimitives.WriteDoubleLittleEndian(scratch.AsSpan(1), real);
                    hash.AppendData(scratch, 0, 9);
                    break;
                case string text:
                    scratch[0] = 3;
                    hash.AppendData(scratch, 0, 1);
                    AppendText(hash, scratch, text);
                    break;
                case byte[] blob:
                    scratch[0] = 4;
                    BinaryPrimitives.WriteInt32LittleEndian(scratch.AsSpan(1), blob.Length);
                    hash.AppendData(scratch, 0, 5);
                    hash.AppendData(blob);
                    break;
                case var other:
                    throw new InvalidOperationException($"Unexpected SQLite value of type {other.GetType().Name}.");
            }
        }
    }

    private static void AppendText(IncrementalHash hash, byte[] scratch, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        BinaryPrimitives.WriteInt32LittleEndian(scratch, bytes.Length);
        hash.AppendData(scratch, 0, 4);
        hash.AppendData(bytes);
    }

    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
