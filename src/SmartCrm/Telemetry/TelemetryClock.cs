namespace SmartCrm.Telemetry;

/// <summary>When a reading without "ts" happened: epoch milliseconds, and its order within that millisecond.</summary>
public readonly record struct ServerTime(long Ts, long Seq);

/// <summary>
/// Times readings that came without a "ts". The API speaks milliseconds, and a device can send many messages in one
/// millisecond, so each reading also gets a <see cref="ServerTime.Seq"/>: this writer's id (unique per process start, from the
/// database) above a counter. (Ts, Seq) never repeats for a device and key, on one node, across nodes, or after a restart,
/// and it never goes back: the clock continues from the newest server time committed before when the wall clock is behind.
/// Readings sent with a "ts" keep Seq 0, so the same "ts" again is an update, as in ThingsBoard.
/// </summary>
public sealed class TelemetryClock(TimeProvider time, ILogger<TelemetryClock> logger)
{
    /// <summary>Bits of the counter within a millisecond (a million readings per millisecond before it borrows the next one).</summary>
    public const int CounterBits = 20;

    /// <summary>How far ahead of this machine's clock a stored server time may be and still be continued from.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(1);

    private const long CounterMask = (1L << CounterBits) - 1;

    private long _writer;

    // The last time handed out, as milliseconds << CounterBits | counter: one number, so one compare-and-swap moves it.
    private long _last;

    /// <summary>This process's writer id, or 0 before <see cref="Start"/>.</summary>
    public long Writer => Volatile.Read(ref _writer);

    /// <summary>Starts the clock for writer <paramref name="writer"/> (1 or more) after the newest stored server time <paramref name="untilMs"/>.</summary>
    public void Start(long writer, long untilMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writer, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writer, long.MaxValue >> CounterBits);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (untilMs > now + (long)MaxAhead.TotalMilliseconds)
        {
            // A node with a clock far ahead wrote these; following it would date every new reading wrongly. Uniqueness still
            // holds: the writer id differs.
            logger.LogError("Stored server times reach {Until:o}, more than {Ahead} ahead of this clock ({Now:o}); continuing from this clock",
                DateTimeOffset.FromUnixTimeMilliseconds(untilMs), MaxAhead, DateTimeOffset.FromUnixTimeMilliseconds(now));
            untilMs = 0;
        }
        else if (untilMs > now)
        {
            logger.LogWarning("This clock is {Behind} ms behind the newest stored server time; readings continue from there", untilMs - now);
        }
        Volatile.Write(ref _last, Math.Max(0, untilMs) << CounterBits);
        Volatile.Write(ref _writer, writer);
    }

    /// <summary>The next server time: strictly after every one this process handed out, and not before the stored ones.</summary>
    public ServerTime Next()
    {
        var writer = Volatile.Read(ref _writer);
        if (writer == 0) throw new InvalidOperationException("The telemetry clock has not started (the telemetry writer registers it at start).");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() << CounterBits;
        long last, next;
        do
        {
            last = Volatile.Read(ref _last);
            next = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _last, next, last) != last);
        return new ServerTime(next >> CounterBits, (writer << CounterBits) | (next & CounterMask));
    }
}
