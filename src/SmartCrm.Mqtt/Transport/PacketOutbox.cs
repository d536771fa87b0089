using System.IO.Pipelines;
using System.Threading.Channels;
using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Transport;

/// <summary>
/// Outgoing packets of one connection. Any thread encodes into the filling buffer under a short lock; one writer
/// task swaps buffers and writes whole batches to the pipe, so a burst of packets costs one socket write and
/// producers never wait for the network.
/// </summary>
internal sealed class PacketOutbox : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private PooledBuffer _filling = new();
    private PooledBuffer _draining = new();
    private bool _closed;

    public PacketOutbox(MqttProtocolVersion version) => Version = version;

    public MqttProtocolVersion Version { get; set; }

    /// <summary>Bytes encoded but not yet written to the transport (to spot a slow reader).</summary>
    public int PendingBytes => Volatile.Read(ref _pendingBytes) + Volatile.Read(ref _writingBytes);

    private int _pendingBytes;
    private int _writingBytes;
    private TaskCompletionSource? _space;
    private int _spaceLimit;

    /// <summary>A wait for space timed out and nothing has been written since: the peer is not reading.</summary>
    public bool Stalled
    {
        get => Volatile.Read(ref _stalled);
        set => Volatile.Write(ref _stalled, value);
    }

    private bool _stalled;

    /// <summary>Completes once fewer than <paramref name="limit"/> bytes wait for the network (at once when that is already so).</summary>
    public Task WaitForSpaceAsync(int limit)
    {
        if (PendingBytes <= limit) return Task.CompletedTask;
        lock (_gate)
        {
            if (_closed) return Task.CompletedTask;
            _spaceLimit = _space is null ? limit : Math.Min(limit, _spaceLimit);
            _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _space.Task;
        }
    }

    public bool IsClosed => Volatile.Read(ref _closed);

    public void Send(MqttPacket packet)
    {
        lock (_gate)
        {
            if (_closed) return;
            PacketEncoder.Write(packet, Version, _filling);
            _pendingBytes = _filling.Length;
        }
        _signal.Writer.TryWrite(true);
    }

    public void SendResponse(PacketType type, ushort packetId, ReasonCode reasonCode)
    {
        lock (_gate)
        {
            if (_closed) return;
            PacketEncoder.WriteResponse(_filling, Version, type, packetId, reasonCode);
            _pendingBytes = _filling.Length;
        }
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Encodes a PUBLISH; false when it exceeds the peer's maximum packet size or the outbox is closed.</summary>
    public bool SendPublish(MqttMessage message, QualityOfService qos, bool retain, bool duplicate, ushort packetId, string topic, ushort topicAlias, List<int>? subscriptionIds, uint? expiry, int maximumPacketSize)
    {
        int written;
        lock (_gate)
        {
            if (_closed) return false;
            written = PacketEncoder.WritePublish(_filling, Version, message, qos, retain, duplicate, packetId, topic, topicAlias, subscriptionIds, expiry, maximumPacketSize);
            _pendingBytes = _filling.Length;
        }
        if (written > 0) _signal.Writer.TryWrite(true);
        return written > 0;
    }

    /// <summary>Stops taking packets; <see cref="RunAsync"/> writes what is left and returns.</summary>
    public void Close()
    {
        TaskCompletionSource? space;
        lock (_gate)
        {
            _closed = true;
            space = _space;
            _space = null;
        }
        space?.TrySetResult();
        _signal.Writer.TryComplete();
    }

    /// <summary>Writes batches to <paramref name="output"/> until <see cref="Close"/> (then drains) or cancellation.</summary>
    public async Task RunAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        while (await _signal.Reader.WaitToReadAsync(cancellationToken))
        {
            _signal.Reader.TryRead(out _);
            if (!await DrainAsync(output, cancellationToken)) return;
        }
        await DrainAsync(output, cancellationToken);
    }

    private async ValueTask<bool> DrainAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            (_filling, _draining) = (_draining, _filling);
            _pendingBytes = 0;
            _writingBytes = _draining.Length;
        }
        if (_draining.Length == 0) return true;
        var result = await output.WriteAsync(_draining.WrittenMemory, cancellationToken);
        _draining.Reset();
        TaskCompletionSource? space = null;
        Stalled = false;
        lock (_gate)
        {
            _writingBytes = 0;
            if (_space is not null && _pendingBytes <= _spaceLimit)
            {
                space = _space;
                _space = null;
            }
        }
        space?.TrySetResult();
        return !result.IsCompleted && !result.IsCanceled;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            _filling.Dispose();
            _draining.Dispose();
        }
    }
}
