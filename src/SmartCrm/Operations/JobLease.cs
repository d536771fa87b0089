using System.Data.Common;
using Npgsql;
using SmartCrm.Storage;

namespace SmartCrm.Operations;

/// <summary>
/// Lets a scheduled job run on one node at a time: on PostgreSQL a session advisory lock held for the run (released if the
/// node dies, because the connection does); on SQLite there is one node, and the lease is always granted.
/// </summary>
public sealed class JobLease : IAsyncDisposable
{
    private readonly DbConnection? _connection;
    private readonly long _key;

    private JobLease(DbConnection? connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>The lease for <paramref name="job"/>, or null when another node holds it now.</summary>
    public static async Task<JobLease?> TryAcquireAsync(DatabaseConnections connections, string job, CancellationToken cancellationToken)
    {
        if (!connections.IsPostgres) return new JobLease(null, 0);
        var key = Key(job);
        var connection = await connections.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", (NpgsqlConnection)connection);
        command.Parameters.AddWithValue("key", key);
        if (await command.ExecuteScalarAsync(cancellationToken) is true) return new JobLease(connection, key);
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>A stable 64-bit key from the job's name (FNV-1a), the same on every node.</summary>
    public static long Key(string job)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in job)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return unchecked((long)hash);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is null) return;
        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", (NpgsqlConnection)_connection))
        {
            unlock.Parameters.AddWithValue("key", _key);
            await unlock.ExecuteNonQueryAsync();
        }
        await _connection.DisposeAsync();
    }
}
