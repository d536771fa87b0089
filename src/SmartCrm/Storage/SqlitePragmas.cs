using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SmartCrm.Storage;

/// <summary>
/// The settings of every SQLite connection the program opens, in one place: EF's (as an interceptor) and those opened for
/// plain SQL (<see cref="DatabaseConnections"/>). The importer changes a few more for the length of an import and puts them
/// back (Import/Importer.cs); the write-ahead log is a setting of the database file, made when the schema is migrated.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    // Pooled connections keep their native handle, and the pragmas stay set on it: run them once per handle, not at every
    // open (EF opens a connection for each query; five pragmas each time cost more than the queries of a 360 view).
    private readonly ConditionalWeakTable<object, object> _prepared = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply((SqliteConnection)connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply((SqliteConnection)connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets the pragmas on an open connection, unless its native handle has them already.</summary>
    public void Apply(SqliteConnection connection)
    {
        var handle = connection.Handle!;
        if (_prepared.TryGetValue(handle, out _)) return;
        using var command = connection.CreateCommand();
        // NORMAL is durable under WAL except for the last transactions on power loss; foreign keys are off by default in SQLite.
        // Reads through a memory map share the OS page cache across pooled connections instead of a 2 MB cache each.
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA mmap_size=1073741824;";
        command.ExecuteNonQuery();
        _prepared.AddOrUpdate(handle, handle);
    }

    /// <summary>
    /// Switches the database file to write-ahead logging (it stays so): the console, the API and a concurrent `smartcrm import`
    /// read while one writes.
    /// </summary>
    public static void UseWriteAheadLog(DbConnection connection)
    {
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        wal.ExecuteNonQuery();
    }
}
