using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace SmartCrm.Telemetry;

/// <summary>
/// Gathers the points of many messages into batches: one transaction (or one COPY) per batch instead of per message.
/// <see cref="WriteAsync"/> completes when the message's points are durable, which is when a QoS 1 message may be acknowledged.
/// After each commit the batch goes to the <see cref="TelemetryFeed"/> (alarms, live views).
/// </summary>
public sealed class TelemetryWriter(TelemetryStore store, TelemetryFeed feed, TelemetryClock serverTime, TimeProvider clock, ILogger<TelemetryWriter> logger,
    IMeterFactory meters)
    : BackgroundService
{
    /// <summary>Points written in one transaction at most; more waiting messages go in the next.</summary>
    public const int MaxBatchPoints = 5_000;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000)
    {
        SingleReader = true,
        // A full queue makes writers wait: with MQTT that holds back acknowledgements, so devices slow down instead of losing data.
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Counter<long> _written = meters.Create("SmartCrm.Telemetry").CreateCounter<long>("smartcrm.telemetry.points", "{point}", "Telemetry points written");

    private sealed record Pending(IReadOnlyList<TelemetryPoint> Points, TaskCompletionSource Durable);

    /// <summary>Queues the points; the task completes once they are committed, or faults if the write failed.</summary>
    public async Task WriteAsync(IReadOnlyList<TelemetryPoint> points, CancellationToken cancellationToken)
    {
        if (points.Count == 0) return;
        var pending = new Pending(points, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // A registration rather than Task.WaitAsync: no second task to complete and hop through for every message.
        using var cancelled = cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetCanceled(), pending.Durable);
        await pending.Durable.Task;
    }

    /// <summary>Registers this process as a writer of server times before the broker and the API take the first message.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (serverTime.Writer == 0)
        {
            var (writer, until) = await store.RegisterWriterAsync(Environment.MachineName, clock.GetUtcNow().UtcDateTime, cancellationToken);
            serverTime.Start(writer, until);
            logger.LogInformation("Telemetry writer {Writer} continues server times from {Until}", writer, until);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        var points = new List<TelemetryPoint>(MaxBatchPoints);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            points.Clear();
            while (points.Count < MaxBatchPoints && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                points.AddRange(pending.Points);
            }
            try
            {
                await store.WriteAsync(points, clock.GetUtcNow().UtcDateTime, stoppingToken);
                foreach (var pending in batch) pending.Durable.TrySetResult();
                _written.Add(points.Count);
                feed.Publish([.. points]);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // One bad message (a device deleted a moment ago) must not cost the others theirs: write them one by one.
                logger.LogWarning(e, "Telemetry batch of {Points} points from {Messages} messages failed; writing them one by one", points.Count, batch.Count);
                foreach (var pending in batch) await WriteAloneAsync(pending, stoppingToken);
            }
        }
    }

    private async Task WriteAloneAsync(Pending pending, CancellationToken stoppingToken)
    {
        try
        {
            await store.WriteAsync(pending.Points, clock.GetUtcNow().UtcDateTime, stoppingToken);
            pending.Durable.TrySetResult();
            _written.Add(pending.Points.Count);
            feed.Publish([.. pending.Points]);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Telemetry message of device {Device} with {Points} points was not written", pending.Points[0].DeviceId, pending.Points.Count);
            pending.Durable.TrySetException(e);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}
