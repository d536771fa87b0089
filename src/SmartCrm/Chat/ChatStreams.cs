using Microsoft.Extensions.Options;

namespace SmartCrm.Chat;

/// <summary>
/// Counts the open anonymous event streams of the chat page, per chat session and in all, so a visitor (or a script with one
/// cookie, or many) cannot hold an unbounded number of connections and timers on the server.
/// </summary>
public sealed class ChatStreams(IOptions<ChatOptions> options)
{
    // Both counts change together under the one lock, so a plain dictionary is enough.
    private readonly Dictionary<long, int> _perSession = [];
    private readonly Lock _gate = new();
    private int _total;
    private long _looks;

    /// <summary>
    /// How many times the live views (both kinds) looked at the database: with the change feed it grows with the changes and the
    /// slow fallback, not with every second of every open stream.
    /// </summary>
    public long Looks => Interlocked.Read(ref _looks);

    public void Looked() => Interlocked.Increment(ref _looks);

    public int Open
    {
        get { lock (_gate) return _total; }
    }

    /// <summary>A place for one more stream of <paramref name="sessionId"/> (release it by disposing), or the status that refuses it.</summary>
    public (IDisposable? Lease, int Refusal) TryOpen(long sessionId)
    {
        var limits = options.Value;
        lock (_gate)
        {
            var mine = _perSession.GetValueOrDefault(sessionId);
            if (mine >= limits.MaxStreamsPerSession) return (null, StatusCodes.Status429TooManyRequests);
            if (_total >= limits.MaxStreams) return (null, StatusCodes.Status503ServiceUnavailable);
            _perSession[sessionId] = mine + 1;
            _total++;
        }
        return (new Lease(this, sessionId), 0);
    }

    private void Close(long sessionId)
    {
        lock (_gate)
        {
            _total--;
            var left = _perSession.GetValueOrDefault(sessionId) - 1;
            if (left <= 0) _perSession.Remove(sessionId);
            else _perSession[sessionId] = left;
        }
    }

    private sealed class Lease(ChatStreams streams, long sessionId) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) streams.Close(sessionId);
        }
    }
}
