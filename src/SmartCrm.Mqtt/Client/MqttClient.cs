using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Transport;

namespace SmartCrm.Mqtt.Client;

/// <summary>
/// An MQTT 3.1.1 / 5.0 client: connect, subscribe, publish at QoS 0, 1 and 2, receive through
/// <see cref="MessageReceived"/>, keep-alive pings, and automatic reconnection with exponential back-off that
/// resubscribes and re-sends unacknowledged publications.
/// </summary>
public sealed class MqttClient : IAsyncDisposable
{
    private enum State
    {
        Idle,
        Connected,
        Reconnecting,
        Closed,
    }

    private sealed class Pending
    {
        public required PacketType Expect;
        public readonly TaskCompletionSource<MqttPacket> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public PublishPacket? Publish;
        public bool Released;
    }

    private sealed class Connection(StreamTransport transport, MqttProtocolVersion version, int maximumPacketSize)
    {
        public StreamTransport Transport { get; } = transport;
        public PacketOutbox Outbox { get; } = new(version);
        public PacketDecoder Decoder { get; } = new(version, maximumPacketSize);
        public CancellationTokenSource Stop { get; } = new();
        public TaskCompletionSource<ConnAckPacket> ConnAck { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task? Writer;
        public Task? Reader;
        public long LastSent = Environment.TickCount64;
        public long PingSentAt;
        public ushort ServerTopicAliasMaximum;
        public int ServerMaximumPacketSize = int.MaxValue;
        public Dictionary<string, ushort>? OutgoingAliases;
        public string?[]? IncomingAliases;
        public ReasonCode? ServerDisconnect;
    }

    private readonly MqttClientOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<ushort, Pending> _pending = [];
    private readonly Dictionary<string, (TopicSubscription Subscription, int Id)> _subscriptions = new(StringComparer.Ordinal);
    private readonly HashSet<ushort> _receivedQoS2 = [];
    private readonly CancellationTokenSource _lifetime = new();
    private TaskCompletionSource _connectedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Connection? _connection;
    private State _state = State.Idle;
    private SemaphoreSlim? _window;
    private ushort _lastPacketId;

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/>.</summary>
    public MqttClient(MqttClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 1 or > 65535) throw new ArgumentException($"Port {options.Port} is outside 1..65535", nameof(options));
        if (string.IsNullOrWhiteSpace(options.Host)) throw new ArgumentException("Host is empty", nameof(options));
        _options = options;
    }

    /// <summary>
    /// Called for every message the broker delivers, in order; the acknowledgement (PUBACK/PUBREC) is sent after it
    /// returns. If it throws, the connection is dropped without acknowledging, so the broker delivers again
    /// (with a persistent session) after the reconnection.
    /// </summary>
    public Func<ReceivedMessage, CancellationToken, ValueTask>? MessageReceived { get; set; }

    /// <summary>Called after each successful connection (the first and every reconnection).</summary>
    public Action<ConnectResult>? Connected { get; set; }

    /// <summary>Called when a connection ends, with the error if it failed.</summary>
    public Action<Exception?>? Disconnected { get; set; }

    /// <summary>True while a connection is up.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate) return _connection is not null;
        }
    }

    /// <summary>The client identifier in use (the assigned one when the broker chose it).</summary>
    public string ClientId { get; private set; } = "";

    /// <summary>Connects (once; later reconnections are automatic). Throws <see cref="MqttConnectException"/> when refused or unreachable.</summary>
    public async Task<ConnectResult> ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != State.Idle) throw new InvalidOperationException($"ConnectAsync was already called (state {_state})");
            _state = State.Reconnecting;
        }
        ClientId = _options.ClientId;
        try
        {
            return await ConnectOnceAsync(_options.CleanStart, cancellationToken);
        }
        catch
        {
            lock (_gate) _state = State.Idle;
            throw;
        }
    }

    private async Task<ConnectResult> ConnectOnceAsync(bool cleanStart, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, timeout.Token);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (_options.UseTls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _options.TlsTargetHost ?? _options.Host,
                    RemoteCertificateValidationCallback = _options.ValidateServerCertificate,
                    ClientCertificates = _options.ClientCertificates,
                }, timeout.Token);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new MqttConnectException($"Cannot reach MQTT broker {_options.Host}:{_options.Port}: {e.Message}", e);
        }
        var version = _options.ProtocolVersion;
        var connection = new Connection(new StreamTransport(socket, stream), version, (int)Math.Min(int.MaxValue, _options.MaximumPacketSize ?? PacketDecoder.ProtocolMaximumPacketSize));
        connection.Writer = connection.Outbox.RunAsync(connection.Transport.Output, connection.Stop.Token);
        connection.Outbox.Send(BuildConnect(cleanStart));
        connection.Reader = ReadLoopAsync(connection);
        ConnAckPacket ack;
        try
        {
            ack = await connection.ConnAck.Task.WaitAsync(timeout.Token);
        }
        catch (Exception e)
        {
            await CloseAsync(connection);
            cancellationToken.ThrowIfCancellationRequested();
            throw e as MqttConnectException ?? new MqttConnectException($"No CONNACK from {_options.Host}:{_options.Port}: {e.Message}", e);
        }
        if (ack.ReasonCode != ReasonCode.Success)
        {
            await CloseAsync(connection);
            throw new MqttConnectException(ack.ReasonCode, $"MQTT broker {_options.Host}:{_options.Port} refused the connection: {ack.ReasonCode}{(ack.Properties?.ReasonString is { } why ? " (" + why + ")" : "")}");
        }
        var p = ack.Properties;
        if (p?.AssignedClientIdentifier is { } assigned) ClientId = assigned;
        connection.ServerTopicAliasMaximum = _options.UseTopicAliases ? p?.TopicAliasMaximum ?? 0 : (ushort)0;
        connection.ServerMaximumPacketSize = (int)Math.Min(int.MaxValue, p?.MaximumPacketSize ?? int.MaxValue);
        _window ??= new SemaphoreSlim(p?.ReceiveMaximum ?? ushort.MaxValue);
        var result = new ConnectResult(ack.SessionPresent, p);
        lock (_gate)
        {
            if (_state == State.Closed)
            {
                connection.Outbox.Close();
                return result;
            }
            _connection = connection;
            _state = State.Connected;
            if (!ack.SessionPresent) _receivedQoS2.Clear();
            Resume(connection, ack.SessionPresent);
            _connectedSignal.TrySetResult();
        }
        // A Server Keep Alive replaces ours (5.0, 3.2.2.3.14): the broker will hold us to it.
        var keepAlive = p?.ServerKeepAlive ?? _options.KeepAlive;
        if (keepAlive > 0) _ = KeepAliveAsync(connection, keepAlive);
        Connected?.Invoke(result);
        return result;
    }

    private ConnectPacket BuildConnect(bool cleanStart)
    {
        var v5 = _options.ProtocolVersion == MqttProtocolVersion.V500;
        MqttProperties? properties = null;
        if (v5)
        {
            properties = new MqttProperties
            {
                SessionExpiryInterval = _options.SessionExpiryInterval == 0 ? null : _options.SessionExpiryInterval,
                TopicAliasMaximum = _options.TopicAliasMaximum == 0 ? null : _options.TopicAliasMaximum,
                MaximumPacketSize = _options.MaximumPacketSize,
                UserProperties = _options.UserProperties?.ToList(),
            };
        }
        return new ConnectPacket
        {
            ProtocolVersion = _options.ProtocolVersion,
            ClientId = ClientId,
            CleanStart = cleanStart,
            KeepAlive = _options.KeepAlive,
            UserName = _options.UserName,
            Password = _options.Password is null ? null : (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes(_options.Password),
            Will = _options.Will,
            Properties = properties,
        };
    }

    /// <summary>After (re)connecting: subscribe again when the session is new, re-send what was not acknowledged. Under the gate.</summary>
    private void Resume(Connection connection, bool sessionPresent)
    {
        if (!sessionPresent && _subscriptions.Count > 0)
        {
            foreach (var group in _subscriptions.Values.GroupBy(s => s.Id))
            {
                var id = NextPacketId();
                _pending[id] = new Pending { Expect = PacketType.SubAck };
                Send(connection, new SubscribePacket
                {
                    PacketId = id,
                    Subscriptions = group.Select(s => s.Subscription).ToList(),
                    Properties = group.Key != 0 ? new MqttProperties { SubscriptionIdentifier = group.Key } : null,
                });
            }
        }
        foreach (var (id, pending) in _pending.OrderBy(p => p.Key).ToList())
        {
            if (pending.Publish is not { } publish) continue;
            if (pending.Released)
            {
                if (sessionPresent) Send(connection, new PubRelPacket { PacketId = id });
                else
                {
                    // The broker had the message (PUBREC) before its session was lost: delivery is done.
                    _pending.Remove(id);
                    pending.Done.TrySetResult(new PubCompPacket { PacketId = id });
                }
                continue;
            }
            publish.Duplicate = sessionPresent;
            SendPublish(connection, publish, allowAlias: false);
        }
    }

    private ushort NextPacketId()
    {
        for (var tries = 0; tries < 65536; tries++)
        {
            _lastPacketId = (ushort)(_lastPacketId == ushort.MaxValue ? 1 : _lastPacketId + 1);
            if (!_pending.ContainsKey(_lastPacketId)) return _lastPacketId;
        }
        throw new InvalidOperationException("All 65,535 packet identifiers are in use");
    }

    private static void Send(Connection connection, MqttPacket packet)
    {
        connection.Outbox.Send(packet);
        connection.LastSent = Environment.TickCount64;
    }

    private static void SendPublish(Connection connection, PublishPacket publish, bool allowAlias)
    {
        var m = publish.Message;
        var topic = m.Topic;
        ushort alias = 0;
        if (allowAlias && connection.ServerTopicAliasMaximum > 0)
        {
            var aliases = connection.OutgoingAliases ??= new Dictionary<string, ushort>(StringComparer.Ordinal);
            if (aliases.TryGetValue(topic, out alias)) topic = "";
            else if (aliases.Count < connection.ServerTopicAliasMaximum) aliases[topic] = alias = (ushort)(aliases.Count + 1);
        }
        if (!connection.Outbox.SendPublish(m, m.QualityOfService, m.Retain, publish.Duplicate, publish.PacketId, topic, alias, null, null, connection.ServerMaximumPacketSize) && !connection.Outbox.IsClosed)
            throw new ArgumentException($"PUBLISH to '{m.Topic}' is larger than the broker's maximum packet size ({connection.ServerMaximumPacketSize} bytes)", nameof(publish));
        connection.LastSent = Environment.TickCount64;
    }

    private async Task ReadLoopAsync(Connection connection)
    {
        Exception? error = null;
        var reader = connection.Transport.Input;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(connection.Stop.Token);
                var buffer = result.Buffer;
                try
                {
                    while (connection.Decoder.TryDecode(ref buffer, out var packet))
                    {
                        if (!await HandleAsync(connection, packet!)) return;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted || result.IsCanceled) return;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            error = e;
            if (e is MqttProtocolException protocol && _options.ProtocolVersion == MqttProtocolVersion.V500)
                Send(connection, new DisconnectPacket { ReasonCode = protocol.ReasonCode });
        }
        finally
        {
            error ??= connection.ServerDisconnect is { } code ? new MqttConnectException(code, $"The broker disconnected: {code}") : null;
            connection.ConnAck.TrySetException(error ?? new MqttConnectException("The connection closed before CONNACK"));
            _ = ConnectionLostAsync(connection, error);
        }
    }

    private async ValueTask<bool> HandleAsync(Connection connection, MqttPacket packet)
    {
        switch (packet)
        {
            case ConnAckPacket ack:
                connection.ConnAck.TrySetResult(ack);
                return ack.ReasonCode == ReasonCode.Success;
            case PublishPacket publish:
                return await ReceiveAsync(connection, publish);
            case PubAckPacket or PubCompPacket or SubAckPacket or UnsubAckPacket:
                Complete(packet);
                return true;
            case PubRecPacket rec:
                lock (_gate)
                {
                    if (!_pending.TryGetValue(rec.PacketId, out var pending)) break;
                    if (rec.ReasonCode >= ReasonCode.UnspecifiedError)
                    {
                        _pending.Remove(rec.PacketId);
                        pending.Done.TrySetResult(rec);
                        break;
                    }
                    pending.Released = true;
                }
                Send(connection, new PubRelPacket { PacketId = rec.PacketId });
                return true;
            case PubRelPacket rel:
                lock (_gate) _receivedQoS2.Remove(rel.PacketId);
                connection.Outbox.SendResponse(PacketType.PubComp, rel.PacketId, ReasonCode.Success);
                return true;
            case PingRespPacket:
                connection.PingSentAt = 0;
                return true;
            case DisconnectPacket disconnect:
                connection.ServerDisconnect = disconnect.ReasonCode;
                return false;
            default:
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"A broker may not send {packet.Type}");
        }
        return true;
    }

    private void Complete(MqttPacket packet)
    {
        var id = packet switch
        {
            PublishResponsePacket r => r.PacketId,
            SubAckPacket s => s.PacketId,
            UnsubAckPacket u => u.PacketId,
            _ => (ushort)0,
        };
        Pending? pending;
        lock (_gate)
        {
            if (!_pending.TryGetValue(id, out pending) || pending.Expect != packet.Type) return;
            _pending.Remove(id);
        }
        pending.Done.TrySetResult(packet);
    }

    private async ValueTask<bool> ReceiveAsync(Connection connection, PublishPacket publish)
    {
        var message = publish.Message;
        if (publish.TopicAlias != 0)
        {
            if (publish.TopicAlias > _options.TopicAliasMaximum) throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, $"Topic alias {publish.TopicAlias} above our maximum {_options.TopicAliasMaximum}");
            var aliases = connection.IncomingAliases ??= new string?[_options.TopicAliasMaximum + 1];
            if (message.Topic.Length > 0) aliases[publish.TopicAlias] = message.Topic;
            else message = new MqttMessage(aliases[publish.TopicAlias] ?? throw new MqttProtocolException(ReasonCode.ProtocolError, $"Unknown topic alias {publish.TopicAlias}"), message.Payload, message.QualityOfService, message.Retain, message.Properties);
        }
        var qos = message.QualityOfService;
        if (qos == QualityOfService.ExactlyOnce)
        {
            bool seen;
            lock (_gate) seen = !_receivedQoS2.Add(publish.PacketId);
            if (seen)
            {
                connection.Outbox.SendResponse(PacketType.PubRec, publish.PacketId, ReasonCode.Success);
                return true;
            }
        }
        if (MessageReceived is { } handler)
        {
            try
            {
                await handler(new ReceivedMessage(message, publish.Duplicate, publish.SubscriptionIdentifiers ?? (IReadOnlyList<int>)[]), connection.Stop.Token);
            }
            catch (Exception) when (qos != QualityOfService.AtMostOnce)
            {
                lock (_gate) _receivedQoS2.Remove(publish.PacketId);
                return false;
            }
            catch (Exception)
            {
                // A QoS 0 message is gone either way; the connection stays.
            }
        }
        if (qos == QualityOfService.AtLeastOnce) connection.Outbox.SendResponse(PacketType.PubAck, publish.PacketId, ReasonCode.Success);
        else if (qos == QualityOfService.ExactlyOnce) connection.Outbox.SendResponse(PacketType.PubRec, publish.PacketId, ReasonCode.Success);
        return true;
    }

    private static async Task KeepAliveAsync(Connection connection, ushort keepAlive)
    {
        var keepAliveMs = keepAlive * 1000L;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(keepAliveMs / 4, 50, 1000));
        try
        {
            while (!connection.Stop.IsCancellationRequested)
            {
                await Task.Delay(tick, connection.Stop.Token);
                var now = Environment.TickCount64;
                if (connection.PingSentAt != 0 && now - connection.PingSentAt > keepAliveMs)
                {
                    // No PINGRESP within a keep-alive period: the connection is dead even if TCP has not noticed.
                    await connection.Stop.CancelAsync();
                    connection.Transport.Input.CancelPendingRead();
                    return;
                }
                if (connection.PingSentAt == 0 && now - connection.LastSent >= keepAliveMs * 3 / 4)
                {
                    connection.PingSentAt = now;
                    Send(connection, PingReqPacket.Instance);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ConnectionLostAsync(Connection connection, Exception? error)
    {
        bool reconnect;
        List<Pending>? failed = null;
        lock (_gate)
        {
            if (_connection != connection) return;
            _connection = null;
            _connectedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            reconnect = _state == State.Connected && _options.AutoReconnect;
            _state = reconnect ? State.Reconnecting : State.Closed;
            foreach (var (id, pending) in _pending.ToList())
            {
                if (pending.Publish is not null && reconnect) continue;
                (failed ??= []).Add(pending);
                _pending.Remove(id);
            }
            if (!reconnect) _connectedSignal.TrySetException(new MqttConnectException("The MQTT connection is closed"));
        }
        if (failed is not null)
        {
            foreach (var p in failed) p.Done.TrySetException(new MqttConnectException("The MQTT connection was lost before the broker answered"));
        }
        await CloseAsync(connection);
        Disconnected?.Invoke(error);
        // Taken over: another client uses our identifier. Coming straight back would take it over in turn, and the
        // two would throw each other out many times a second; wait the longest delay instead.
        var takenOver = error is MqttConnectException { ReasonCode: ReasonCode.SessionTakenOver };
        if (reconnect) await ReconnectAsync(takenOver ? _options.MaximumReconnectDelay : _options.ReconnectDelay);
    }

    private async Task ReconnectAsync(TimeSpan delay)
    {
        var cleanStart = _options.ProtocolVersion == MqttProtocolVersion.V311 && _options.CleanStart;
        while (!_lifetime.IsCancellationRequested)
        {
            try
            {
                var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
                await Task.Delay(delay * jitter, _lifetime.Token);
                await ConnectOnceAsync(cleanStart, _lifetime.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaximumReconnectDelay.Ticks));
            }
        }
    }

    private static async Task CloseAsync(Connection connection)
    {
        connection.Outbox.Close();
        try
        {
            if (connection.Writer is not null) await connection.Writer.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception)
        {
            // The peer is gone or slow; the socket is closed below either way.
        }
        await connection.Stop.CancelAsync();
        await connection.Transport.DisposeAsync();
        connection.Outbox.Dispose();
    }

    private async Task<Connection> WaitConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_connection is { } connection) return connection;
                if (_state is State.Idle or State.Closed) throw new InvalidOperationException("The MQTT client is not connected");
                signal = _connectedSignal.Task;
            }
            await signal.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Publishes a message. QoS 0 completes once handed to the network; QoS 1 when PUBACK arrives, QoS 2 when PUBCOMP
    /// arrives (across reconnections). Returns the broker's reason code (5.0; success in 3.1.1).
    /// </summary>
    public async Task<ReasonCode> PublishAsync(MqttMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Topics.ValidateName(message.Topic) is { } why) throw new ArgumentException($"Cannot publish to '{message.Topic}': {why}", nameof(message));
        var connection = await WaitConnectedAsync(cancellationToken);
        if (message.QualityOfService == QualityOfService.AtMostOnce)
        {
            // QoS 0 has no acknowledgement to pace it: wait for the socket instead of buffering without end.
            await connection.Outbox.WaitForSpaceAsync(1024 * 1024).WaitAsync(cancellationToken);
            lock (_gate) SendPublish(connection, new PublishPacket(message), allowAlias: true);
            return ReasonCode.Success;
        }
        await _window!.WaitAsync(cancellationToken);
        Pending pending;
        ushort id = 0;
        try
        {
            lock (_gate)
            {
                id = NextPacketId();
                pending = new Pending { Expect = message.QualityOfService == QualityOfService.AtLeastOnce ? PacketType.PubAck : PacketType.PubComp, Publish = new PublishPacket(message) { PacketId = id } };
                _pending[id] = pending;
                if (_connection is { } current) SendPublish(current, pending.Publish, allowAlias: true);
            }
            var answer = await pending.Done.Task.WaitAsync(cancellationToken);
            return ((PublishResponsePacket)answer).ReasonCode;
        }
        catch (OperationCanceledException)
        {
            lock (_gate) _pending.Remove(id);
            throw;
        }
        finally
        {
            _window.Release();
        }
    }

    /// <summary>Publishes <paramref name="payload"/> to <paramref name="topic"/>.</summary>
    public Task<ReasonCode> PublishAsync(string topic, ReadOnlyMemory<byte> payload, QualityOfService qualityOfService = QualityOfService.AtMostOnce, bool retain = false, CancellationToken cancellationToken = default) =>
        PublishAsync(new MqttMessage(topic, payload, qualityOfService, retain), cancellationToken);

    /// <summary>Subscribes; returns one reason code per filter (granted QoS, or a failure ≥ 0x80). Kept and renewed after reconnections.</summary>
    public async Task<IReadOnlyList<ReasonCode>> SubscribeAsync(IReadOnlyList<TopicSubscription> subscriptions, int subscriptionId = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0) throw new ArgumentException("Nothing to subscribe to", nameof(subscriptions));
        foreach (var s in subscriptions)
        {
            if (Topics.ValidateFilter(s.Filter) is { } why) throw new ArgumentException($"Topic filter '{s.Filter}': {why}", nameof(subscriptions));
        }
        var connection = await WaitConnectedAsync(cancellationToken);
        Pending pending;
        lock (_gate)
        {
            foreach (var s in subscriptions) _subscriptions[s.Filter] = (s, subscriptionId);
            var id = NextPacketId();
            pending = new Pending { Expect = PacketType.SubAck };
            _pending[id] = pending;
            Send(connection, new SubscribePacket
            {
                PacketId = id,
                Subscriptions = [.. subscriptions],
                Properties = subscriptionId != 0 ? new MqttProperties { SubscriptionIdentifier = subscriptionId } : null,
            });
        }
        var ack = (SubAckPacket)await pending.Done.Task.WaitAsync(cancellationToken);
        lock (_gate)
        {
            for (var i = 0; i < subscriptions.Count && i < ack.ReasonCodes.Count; i++)
            {
                if (ack.ReasonCodes[i] >= ReasonCode.UnspecifiedError) _subscriptions.Remove(subscriptions[i].Filter);
            }
        }
        return ack.ReasonCodes;
    }

    /// <summary>Subscribes to one filter; returns the granted QoS or failure code.</summary>
    public async Task<ReasonCode> SubscribeAsync(string filter, QualityOfService qualityOfService = QualityOfService.AtMostOnce, CancellationToken cancellationToken = default) =>
        (await SubscribeAsync([new TopicSubscription(filter, qualityOfService)], 0, cancellationToken))[0];

    /// <summary>Unsubscribes; returns one reason code per filter (5.0; empty in 3.1.1).</summary>
    public async Task<IReadOnlyList<ReasonCode>> UnsubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0) throw new ArgumentException("Nothing to unsubscribe from", nameof(filters));
        var connection = await WaitConnectedAsync(cancellationToken);
        Pending pending;
        lock (_gate)
        {
            foreach (var f in filters) _subscriptions.Remove(f);
            var id = NextPacketId();
            pending = new Pending { Expect = PacketType.UnsubAck };
            _pending[id] = pending;
            Send(connection, new UnsubscribePacket { PacketId = id, Filters = [.. filters] });
        }
        var ack = (UnsubAckPacket)await pending.Done.Task.WaitAsync(cancellationToken);
        return ack.ReasonCodes;
    }

    /// <summary>Sends DISCONNECT and closes; no reconnection follows. 5.0: <see cref="ReasonCode.DisconnectWithWillMessage"/> asks the broker to publish the will.</summary>
    public async Task DisconnectAsync(ReasonCode reasonCode = ReasonCode.Success, CancellationToken cancellationToken = default)
    {
        Connection? connection;
        lock (_gate)
        {
            if (_state == State.Closed) return;
            _state = State.Closed;
            connection = _connection;
            _connection = null;
            _connectedSignal.TrySetException(new MqttConnectException("The MQTT client was disconnected"));
        }
        await _lifetime.CancelAsync();
        if (connection is not null)
        {
            connection.Outbox.Send(new DisconnectPacket { ReasonCode = reasonCode });
            await CloseAsync(connection);
            Disconnected?.Invoke(null);
        }
        List<Pending> failed;
        lock (_gate)
        {
            failed = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var p in failed) p.Done.TrySetException(new MqttConnectException("The MQTT client was disconnected"));
    }

    /// <summary>Cuts the network connection without DISCONNECT, as a network failure would (for tests of wills and reconnection).</summary>
    internal void DropConnection()
    {
        Connection? connection;
        lock (_gate) connection = _connection;
        if (connection is null) return;
        connection.Stop.Cancel();
        connection.Transport.Input.CancelPendingRead();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        _lifetime.Dispose();
        _window?.Dispose();
    }
}
