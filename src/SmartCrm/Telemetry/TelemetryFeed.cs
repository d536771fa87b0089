using System.Threading.Channels;

namespace SmartCrm.Telemetry;

/// <summary>Committed telemetry, fanned out to whoever listens: the alarm engine, live views of devices.</summary>
public sealed class TelemetryFeed
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

    private sealed record ImmutableSubscribers(ChannelWriter<TelemetryPoint[]>[] Writers);

    /// <summary>
    /// A reader of every committed batch. <paramref name="lossless"/> readers get everything (unbounded); the others keep at most
    /// the newest 100 batches, so a slow browser never holds back the writer.
    /// </summary>
    public ChannelReader<TelemetryPoint[]> Subscribe(bool lossless, out IDisposable subscription)
    {
        var channel = lossless
            ? Channel.CreateUnbounded<TelemetryPoint[]>(new UnboundedChannelOptions { SingleReader = true })
            : Channel.CreateBounded<TelemetryPoint[]>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate) _subscribers = new([.. _subscribers.Writers, channel.Writer]);
        subscription = new Unsubscribe(this, channel.Writer);
        return channel.Reader;
    }

    public void Publish(TelemetryPoint[] batch)
    {
        foreach (var writer in _subscribers.Writers) writer.TryWrite(batch);
    }

    private sealed class Unsubscribe(TelemetryFeed feed, ChannelWriter<TelemetryPoint[]> writer) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._gate) feed._subscribers = new([.. feed._subscribers.Writers.Where(w => w != writer)]);
            writer.TryComplete();
        }
    }
}
