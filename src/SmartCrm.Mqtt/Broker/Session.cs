using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Broker;

/// <summary>One message on its way to one session.</summary>
internal readonly record struct Delivery(MqttMessage Message, QualityOfService QualityOfService, bool Retain, List<int>? SubscriptionIds);

/// <summary>What names a session: the owner the host gave the client (see <see cref="ConnectionDecision.SessionOwner"/>) and the client identifier.</summary>
internal readonly record struct SessionKey(string? Owner, string ClientId);

/// <summary>
/// A client's state that may outlive its connection: subscriptions, messages waiting to be sent, QoS 1/2
/// messages sent but not yet acknowledged, QoS 2 packet identifiers received but not yet released, the will.
/// Every field is guarded by <see cref="Gate"/>.
/// </summary>
internal sealed class Session(string clientId, int maximumQueued, string? owner = null)
{
    private sealed class InFlight
    {
        public required Delivery Delivery;
        public required long Sequence;
        public bool Released;
    }

    private readonly Queue<Delivery> _queue = new();
    private readonly Dictionary<ushort, InFlight> _inFlight = [];
    private long _sequence;
    private ushort _lastPacketId;

    public Lock Gate { get; } = new();
    public string ClientId { get; } = clientId;
    public string? Owner { get; } = owner;
    public SessionKey Key => new(Owner, ClientId);
    public Dictionary<string, Subscription> Subscriptions { get; } = new(StringComparer.Ordinal);
    /// <summary>QoS 2 packet identifiers received and acknowledged with PUBREC, awaiting PUBREL.</summary>
    public HashSet<ushort> ReceivedQoS2 { get; } = [];
    public BrokerConnection? Connection { get; set; }
    /// <summary>The connection that last took this session at CONNECT (set before it attaches, so an older connection closing meanwhile cannot end the session).</summary>
    public BrokerConnection? Holder { get; set; }
    public bool IsOnline => Volatile.Read(ref _online);
    private bool _online;

    /// <summary>Session expiry in seconds once the client is offline (uint.MaxValue = never).</summary>
    public uint ExpiryInterval { get; set; }
    /// <summary><see cref="Environment.TickCount64"/> at which the offline session ends (0 = not scheduled).</summary>
    public long ExpiresAt { get; set; }
    /// <summary>Will waiting for its delay (5.0) to pass, who left it, and when it is due.</summary>
    public MqttMessage? PendingWill { get; set; }
    public ConnectedClient? PendingWillFrom { get; set; }
    public long WillDueAt { get; set; }
    public bool Ended { get; set; }
    public int Dropped { get; private set; }

    public int QueuedCount
    {
        get
        {
            lock (Gate) return _queue.Count;
        }
    }

    /// <summary>Sends now if the client is connected and has room, queues otherwise (QoS 0 is not kept for offline clients).</summary>
    public void Deliver(in Delivery delivery)
    {
        lock (Gate)
        {
            if (Ended) return;
            var connection = Connection;
            if (delivery.QualityOfService == QualityOfService.AtMostOnce)
            {
                // QoS 0 is never queued: it goes now or, for an offline or flooded client, not at all.
                if (connection is null) return;
                if (connection.HasRoomForQoS0)
                {
                    connection.SendPublish(delivery, 0, duplicate: false);
                    BrokerConnection.NoteIfCongested(connection);
                }
                else
                {
                    Dropped++;
                }
                return;
            }
            if (connection is not null && _queue.Count == 0 && TrySend(connection, delivery)) return;
            if (_queue.Count >= maximumQueued)
            {
                Dropped++;
                return;
            }
            _queue.Enqueue(delivery);
        }
    }

    /// <summary>Attaches a connection: re-sends unacknowledged messages (DUP set, PUBREL again) in their order, then the queue.</summary>
    public void Attach(BrokerConnection connection)
    {
        lock (Gate)
        {
            Connection = connection;
            Volatile.Write(ref _online, true);
            if (_inFlight.Count > 0)
            {
                var pending = _inFlight.OrderBy(e => e.Value.Sequence).ToList();
                foreach (var (id, entry) in pending)
                {
                    if (entry.Released) connection.Outbox.SendResponse(PacketType.PubRel, id, ReasonCode.Success);
                    else connection.SendPublish(entry.Delivery, id, duplicate: true);
                }
            }
            Drain(connection);
        }
    }

    public void Detach(BrokerConnection connection)
    {
        lock (Gate)
        {
            if (Connection != connection) return;
            Connection = null;
            Volatile.Write(ref _online, false);
        }
    }

    /// <summary>Forgets everything but the identity: for a clean start or an ended session.</summary>
    public void Clear()
    {
        lock (Gate)
        {
            _queue.Clear();
            _inFlight.Clear();
            ReceivedQoS2.Clear();
            Subscriptions.Clear();
        }
    }

    /// <summary>PUBACK (QoS 1) or PUBCOMP (QoS 2) ends a delivery; false when the identifier was not in flight.</summary>
    public bool Complete(ushort packetId)
    {
        lock (Gate)
        {
            if (!_inFlight.Remove(packetId)) return false;
            if (Connection is { } connection) Drain(connection);
            return true;
        }
    }

    /// <summary>PUBREC: the QoS 2 message is received; from now on only PUBREL is re-sent. False when unknown.</summary>
    public bool Release(ushort packetId)
    {
        lock (Gate)
        {
            if (!_inFlight.TryGetValue(packetId, out var entry) || entry.Delivery.QualityOfService != QualityOfService.ExactlyOnce) return false;
            entry.Released = true;
            return true;
        }
    }

    /// <summary>PUBREC with an error code: the client refused the message, which ends the delivery.</summary>
    public void Abandon(ushort packetId) => Complete(packetId);

    private void Drain(BrokerConnection connection)
    {
        while (_queue.Count > 0)
        {
            if (!TrySend(connection, _queue.Peek())) return;
            _queue.Dequeue();
        }
    }

    /// <summary>Writes the PUBLISH when the client's window allows; expired messages count as sent (they are dropped).</summary>
    private bool TrySend(BrokerConnection connection, in Delivery delivery)
    {
        if (_inFlight.Count >= connection.ClientReceiveMaximum) return false;
        if (delivery.Message.ExpiresAt != 0 && delivery.Message.ExpiresAt <= Environment.TickCount64) return true;
        var id = NextPacketId();
        if (connection.SendPublish(delivery, id, duplicate: false))
            _inFlight[id] = new InFlight { Delivery = delivery, Sequence = ++_sequence };
        BrokerConnection.NoteIfCongested(connection);
        return true;
    }

    private ushort NextPacketId()
    {
        while (true)
        {
            _lastPacketId = (ushort)(_lastPacketId == ushort.MaxValue ? 1 : _lastPacketId + 1);
            if (!_inFlight.ContainsKey(_lastPacketId)) return _lastPacketId;
        }
    }
}
