using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Transport;

namespace SmartCrm.Mqtt.Broker;

/// <summary>One client's network connection to the broker: reads and handles its packets, writes to it through an outbox.</summary>
internal sealed class BrokerConnection : IDisposable
{
    private readonly record struct PendingPublish(MqttMessage Message, ushort PacketId, ValueTask<MessageDisposition> Decision);

    private readonly MqttBroker _broker;
    private readonly MqttBrokerOptions _options;
    private readonly IDuplexPipe _transport;
    private readonly X509Certificate2? _clientCertificate;
    private readonly PacketDecoder _decoder;
    private readonly CancellationTokenSource _stopReading = new();
    private Channel<PendingPublish>? _hookQueue;
    private Task? _hookLoop;
    private int _pendingHooks;
    private string?[]? _topicAliases;
    private MqttMessage? _will;
    private uint _willDelay;
    private uint _sessionExpiry;
    private uint _sessionExpiryLimit;
    private DisconnectReason? _reason;
    private int _keepAliveMs;

    public BrokerConnection(MqttBroker broker, IDuplexPipe transport, EndPoint? remoteEndPoint, X509Certificate2? clientCertificate)
    {
        _broker = broker;
        _options = broker.Options;
        _transport = transport;
        RemoteEndPoint = remoteEndPoint;
        _clientCertificate = clientCertificate;
        _decoder = new PacketDecoder(MqttProtocolVersion.V311, _options.MaximumPacketSize);
        Outbox = new PacketOutbox(MqttProtocolVersion.V311);
        LastReceived = Environment.TickCount64;
    }

    public PacketOutbox Outbox { get; }
    public EndPoint? RemoteEndPoint { get; }
    public MqttProtocolVersion Version { get; private set; } = MqttProtocolVersion.V311;
    public ConnectedClient? Client { get; private set; }
    public Session? Session { get; private set; }
    public ushort ClientReceiveMaximum { get; private set; }
    public int ClientMaximumPacketSize { get; private set; } = int.MaxValue;
    public long LastReceived { get; private set; }
    public bool HasRoomForQoS0 => Outbox.PendingBytes < _options.OutboundBufferLimit;

    [ThreadStatic] private static List<PacketOutbox>? t_congested;

    /// <summary>Forgets congestion noted by an earlier routing on this thread (routing starts with it).</summary>
    public static void ClearCongestion() => t_congested?.Clear();

    /// <summary>
    /// Notes a subscriber whose outbox holds more than a quarter of its limit, so that the publisher's connection
    /// can wait for it to drain before reading more: a fast publisher then slows to what its subscribers take
    /// instead of making the broker drop their QoS 0 messages.
    /// </summary>
    public static void NoteIfCongested(BrokerConnection subscriber)
    {
        var pending = subscriber.Outbox.PendingBytes;
        var limit = subscriber._options.OutboundBufferLimit;
        if (pending <= limit / 4 || pending >= limit || subscriber.Outbox.Stalled) return;
        var list = t_congested ??= [];
        if (!list.Contains(subscriber.Outbox)) list.Add(subscriber.Outbox);
    }

    /// <summary>Waits (briefly: a stuck subscriber must not stall its publishers for long) for congested subscribers to drain.</summary>
    private Task RelieveCongestionAsync()
    {
        var list = t_congested;
        if (list is null || list.Count == 0) return Task.CompletedTask;
        var congested = list.ToArray();
        list.Clear();
        return WaitBrieflyAsync(congested, _options.OutboundBufferLimit / 4);
    }

    private static async Task WaitBrieflyAsync(PacketOutbox[] congested, int limit)
    {
        foreach (var outbox in congested)
        {
            try
            {
                await outbox.WaitForSpaceAsync(limit).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
                // Not reading at all: stop waiting for it until it writes again; its QoS 0 messages drop at the limit.
                outbox.Stalled = true;
            }
        }
    }

    private bool V5 => Version == MqttProtocolVersion.V500;

    /// <summary>True when the connection has been silent for too long (1.5 × keep-alive, or the CONNECT timeout).</summary>
    public bool IsOverdue(long now)
    {
        if (Client is null) return now - LastReceived > (long)_options.ConnectTimeout.TotalMilliseconds;
        return _keepAliveMs > 0 && now - LastReceived > _keepAliveMs * 3L / 2;
    }

    public bool SendPublish(in Delivery delivery, ushort packetId, bool duplicate)
    {
        var message = delivery.Message;
        uint? expiry = null;
        if (message.ExpiresAt != 0 && V5) expiry = (uint)Math.Max(0, (message.ExpiresAt - Environment.TickCount64 + 999) / 1000);
        return Outbox.SendPublish(message, delivery.QualityOfService, delivery.Retain, duplicate, packetId, message.Topic, 0, V5 ? delivery.SubscriptionIds : null, expiry, ClientMaximumPacketSize);
    }

    /// <summary>Ends the connection from the broker's side; 5.0 clients are told why with DISCONNECT.</summary>
    public void Abort(DisconnectReason reason, ReasonCode code)
    {
        _reason ??= reason;
        if (V5 && Client is not null) Outbox.Send(new DisconnectPacket { ReasonCode = code });
        Stop();
    }

    private void Stop()
    {
        try
        {
            _stopReading.Cancel();
            _transport.Input.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async Task RunAsync()
    {
        using var writerStop = new CancellationTokenSource();
        var writer = Outbox.RunAsync(_transport.Output, writerStop.Token);
        try
        {
            await ReadLoopAsync();
            _reason ??= DisconnectReason.ConnectionLost;
        }
        catch (MqttProtocolException e)
        {
            _reason ??= DisconnectReason.ProtocolError;
            _broker.Logger.LogInformation("MQTT client {Client} at {Remote} broke the protocol ({Code}): {Message}", Client?.ClientId ?? "(connecting)", RemoteEndPoint, e.ReasonCode, e.Message);
            ReplyToProtocolError(e);
        }
        catch (OperationCanceledException)
        {
            _reason ??= DisconnectReason.ServerDisconnected;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _reason ??= DisconnectReason.ConnectionLost;
        }
        catch (Exception e)
        {
            _reason ??= DisconnectReason.ServerDisconnected;
            _broker.Logger.LogError(e, "MQTT connection of {Client} at {Remote} failed", Client?.ClientId ?? "(connecting)", RemoteEndPoint);
            if (V5 && Client is not null) Outbox.Send(new DisconnectPacket { ReasonCode = ReasonCode.UnspecifiedError });
        }
        finally
        {
            await FinishAsync(writer, writerStop);
        }
    }

    private async Task FinishAsync(Task writer, CancellationTokenSource writerStop)
    {
        _stopReading.Cancel();
        if (_hookQueue is not null)
        {
            _hookQueue.Writer.TryComplete();
            try
            {
                await _hookLoop!.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
            }
        }
        Outbox.Close();
        writerStop.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await writer;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        if (Client is not null && Session is not null) _broker.ConnectionClosed(this, Session, Client, _reason ?? DisconnectReason.ConnectionLost, _will, _willDelay, _sessionExpiry);
        Dispose();
    }

    public void Dispose()
    {
        Outbox.Dispose();
        _stopReading.Dispose();
    }

    private void ReplyToProtocolError(MqttProtocolException e)
    {
        if (Client is not null)
        {
            if (V5) Outbox.Send(new DisconnectPacket { ReasonCode = e.ReasonCode, Properties = new MqttProperties { ReasonString = PropertyCodec.Clip(e.Message) } });
            return;
        }
        if (e.ReasonCode == ReasonCode.UnsupportedProtocolVersion)
        {
            // The client's level is not ours, so answer in the form its level implies: 5.0 CONNACK for level 5, 3.1.1 otherwise.
            Outbox.Version = e.ProtocolLevel == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
            Outbox.Send(new ConnAckPacket { ReasonCode = ReasonCode.UnsupportedProtocolVersion });
        }
        else if (e.ProtocolLevel == 5 || (Version == MqttProtocolVersion.V500 && _decoder.ProtocolVersion == MqttProtocolVersion.V500))
        {
            // A 5.0 CONNECT that breaks the rules is told why (0x81 malformed, 0x82 protocol error, 0x99 payload format invalid, ...).
            Outbox.Version = MqttProtocolVersion.V500;
            Outbox.Send(new ConnAckPacket { ReasonCode = e.ReasonCode });
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = _transport.Input;
        var token = _stopReading.Token;
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            try
            {
                while (_decoder.TryDecode(ref buffer, out var packet))
                {
                    LastReceived = Environment.TickCount64;
                    if (!await HandleAsync(packet!, token)) return;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            if (result.IsCompleted || result.IsCanceled) return;
        }
    }

    /// <summary>Handles one packet; false ends the connection.</summary>
    private ValueTask<bool> HandleAsync(MqttPacket packet, CancellationToken token)
    {
        if (Client is null)
        {
            if (packet is not ConnectPacket connect) throw new MqttProtocolException(ReasonCode.ProtocolError, $"First packet must be CONNECT, was {packet.Type}");
            return ConnectAsync(connect, token);
        }
        switch (packet)
        {
            case PublishPacket publish:
                return PublishAsync(publish, token);
            case PubAckPacket ack:
                Session!.Complete(ack.PacketId);
                return ValueTask.FromResult(true);
            case PubRecPacket rec:
                if (rec.ReasonCode >= ReasonCode.UnspecifiedError) Session!.Abandon(rec.PacketId);
                else Outbox.SendResponse(PacketType.PubRel, rec.PacketId, Session!.Release(rec.PacketId) || !V5 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound);
                return ValueTask.FromResult(true);
            case PubRelPacket rel:
                bool known;
                lock (Session!.Gate) known = Session.ReceivedQoS2.Remove(rel.PacketId);
                Outbox.SendResponse(PacketType.PubComp, rel.PacketId, known || !V5 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound);
                return ValueTask.FromResult(true);
            case PubCompPacket comp:
                Session!.Complete(comp.PacketId);
                return ValueTask.FromResult(true);
            case SubscribePacket subscribe:
                return SubscribeAsync(subscribe);
            case UnsubscribePacket unsubscribe:
                Unsubscribe(unsubscribe);
                return ValueTask.FromResult(true);
            case PingReqPacket:
                Outbox.Send(PingRespPacket.Instance);
                return ValueTask.FromResult(true);
            case DisconnectPacket disconnect:
                Disconnect(disconnect);
                return ValueTask.FromResult(false);
            case ConnectPacket:
                throw new MqttProtocolException(ReasonCode.ProtocolError, "Second CONNECT on one connection");
            default:
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"A client may not send {packet.Type}");
        }
    }

    private async ValueTask<bool> ConnectAsync(ConnectPacket connect, CancellationToken token)
    {
        Version = connect.ProtocolVersion;
        _decoder.ProtocolVersion = Version;
        Outbox.Version = Version;
        var p = connect.Properties;
        if (p?.AuthenticationMethod is not null)
        {
            Outbox.Send(new ConnAckPacket { ReasonCode = ReasonCode.BadAuthenticationMethod });
            return false;
        }
        ClientReceiveMaximum = V5 ? p?.ReceiveMaximum ?? ushort.MaxValue : _options.MaximumInflightToClient;
        ClientMaximumPacketSize = (int)Math.Min(int.MaxValue, p?.MaximumPacketSize ?? int.MaxValue);
        var clientId = connect.ClientId;
        string? assigned = null;
        if (clientId.Length == 0)
        {
            if (!V5 && !connect.CleanStart)
            {
                Outbox.Send(new ConnAckPacket { ReasonCode = ReasonCode.ClientIdentifierNotValid });
                return false;
            }
            clientId = assigned = "auto-" + Guid.NewGuid().ToString("N");
        }
        var keepAlive = connect.KeepAlive;
        ushort? serverKeepAlive = null;
        if (V5 && _options.ServerKeepAlive is { } imposed)
        {
            keepAlive = imposed;
            serverKeepAlive = imposed;
        }
        else if (_options.MaximumKeepAlive is { } maximum && (keepAlive == 0 || keepAlive > maximum))
        {
            if (!V5)
            {
                // 3.1.1 cannot be told another keep-alive; like mosquitto's max_keepalive, refuse rather than drop it later.
                _broker.Logger.LogInformation("MQTT client {Client} at {Remote} refused: keep-alive {KeepAlive} s is above the maximum of {Maximum} s", clientId, RemoteEndPoint, keepAlive, maximum);
                Outbox.Send(new ConnAckPacket { ReasonCode = ReasonCode.ClientIdentifierNotValid });
                return false;
            }
            keepAlive = maximum;
            serverKeepAlive = maximum;
        }
        var identity = (object?)null;
        string? owner = connect.UserName;
        _sessionExpiryLimit = _options.MaximumSessionExpiry;
        if (_options.Authenticate is { } authenticate)
        {
            var request = new ConnectionRequest(clientId, connect.UserName, connect.Password, Version, RemoteEndPoint, _clientCertificate, p?.UserProperties);
            ConnectionDecision decision;
            try
            {
                decision = await authenticate(request, token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _broker.Logger.LogError(e, "MQTT authentication hook failed for {Client}", clientId);
                decision = ConnectionDecision.Refuse(ReasonCode.ServerUnavailable);
            }
            if (!decision.Accepted)
            {
                _broker.Logger.LogInformation("MQTT client {Client} ({User}) at {Remote} refused: {Code}", clientId, connect.UserName, RemoteEndPoint, decision.ReasonCode);
                Outbox.Send(new ConnAckPacket { ReasonCode = decision.ReasonCode });
                return false;
            }
            identity = decision.Identity;
            owner = decision.SessionOwner ?? owner;
            if (decision.MaximumSessionExpiry is { } limit) _sessionExpiryLimit = Math.Min(limit, _sessionExpiryLimit);
        }
        _sessionExpiry = V5 ? Math.Min(p?.SessionExpiryInterval ?? 0, _sessionExpiryLimit) : connect.CleanStart ? 0 : _sessionExpiryLimit;
        _keepAliveMs = keepAlive * 1000;
        var client = new ConnectedClient(clientId, connect.UserName, identity, Version, RemoteEndPoint, owner);
        if (connect.Will is { } will)
        {
            // The delay is the broker's business; a PUBLISH may not carry it, so subscribers get the will without it.
            _willDelay = will.Properties?.WillDelayInterval ?? 0;
            _will = WithoutWillDelay(will);
            // A will is a publication made later on the client's behalf: it needs the permission now.
            if (_options.Authorize is { } authorize && !await authorize(client, will.Topic, TopicAccess.Will))
            {
                _broker.Logger.LogInformation("MQTT client {Client} may not leave a will on {Topic}", clientId, will.Topic);
                Outbox.Send(new ConnAckPacket { ReasonCode = ReasonCode.NotAuthorized });
                return false;
            }
        }
        var session = _broker.AttachSession(this, new SessionKey(owner, clientId), connect.CleanStart, _sessionExpiry, out var sessionPresent);
        if (_will is not null) _will.Publisher = session;
        Session = session;
        MqttProperties? ackProperties = null;
        if (V5)
        {
            ackProperties = new MqttProperties
            {
                AssignedClientIdentifier = assigned,
                ReceiveMaximum = _options.ReceiveMaximum,
                TopicAliasMaximum = _options.TopicAliasMaximum,
                MaximumPacketSize = (uint)_options.MaximumPacketSize,
                ServerKeepAlive = serverKeepAlive,
            };
            if (p?.SessionExpiryInterval is { } asked && asked != _sessionExpiry) ackProperties.SessionExpiryInterval = _sessionExpiry;
        }
        Outbox.Send(new ConnAckPacket { SessionPresent = sessionPresent, ReasonCode = ReasonCode.Success, Properties = ackProperties });
        Client = client;
        session.Attach(this);
        if (_options.MessageReceived is not null)
        {
            _hookQueue = Channel.CreateBounded<PendingPublish>(new BoundedChannelOptions(Math.Max(1, (int)_options.ReceiveMaximum)) { SingleReader = true, SingleWriter = true });
            _hookLoop = HookLoopAsync();
        }
        _broker.ClientAttached(this, client);
        return true;
    }

    private async ValueTask<bool> PublishAsync(PublishPacket publish, CancellationToken token)
    {
        _broker.CountReceived();
        var message = publish.Message;
        var qos = message.QualityOfService;
        if (publish.TopicAlias != 0) message = ResolveAlias(publish);
        if (qos == QualityOfService.ExactlyOnce)
        {
            bool duplicate;
            lock (Session!.Gate)
            {
                duplicate = !Session.ReceivedQoS2.Add(publish.PacketId);
                if (!duplicate && V5 && Session.ReceivedQoS2.Count + _pendingHooks > _options.ReceiveMaximum)
                    throw new MqttProtocolException(ReasonCode.ReceiveMaximumExceeded, $"More than {_options.ReceiveMaximum} QoS 2 messages unacknowledged");
            }
            if (duplicate)
            {
                Outbox.SendResponse(PacketType.PubRec, publish.PacketId, ReasonCode.Success);
                return true;
            }
        }
        else if (qos == QualityOfService.AtLeastOnce && V5 && _pendingHooks >= _options.ReceiveMaximum)
        {
            throw new MqttProtocolException(ReasonCode.ReceiveMaximumExceeded, $"More than {_options.ReceiveMaximum} QoS 1 messages unacknowledged");
        }
        if (_options.Authorize is { } authorize && !await authorize(Client!, message.Topic, TopicAccess.Publish))
        {
            _broker.Logger.LogInformation("MQTT client {Client} may not publish to {Topic}", Client!.ClientId, message.Topic);
            Acknowledge(qos, publish.PacketId, V5 ? ReasonCode.NotAuthorized : ReasonCode.Success, keepQoS2Id: !V5);
            return true;
        }
        message.Publisher = Session;
        if (message.Properties?.MessageExpiryInterval is { } expiry) message.ExpiresAt = Environment.TickCount64 + expiry * 1000L;
        if (_options.MessageReceived is not { } hook)
        {
            _broker.Route(message);
            Acknowledge(qos, publish.PacketId, ReasonCode.Success, keepQoS2Id: true);
            await RelieveCongestionAsync();
            return true;
        }
        ValueTask<MessageDisposition> decision;
        try
        {
            decision = hook(new InboundMessage(Client!, message), token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            decision = ValueTask.FromException<MessageDisposition>(e);
        }
#pragma warning disable CA2012 // Read once here when already complete; otherwise handed, unread, to the hook loop which awaits it once.
        if (decision.IsCompleted && Volatile.Read(ref _pendingHooks) == 0)
        {
            MessageDisposition? result = null;
            Exception? failure = null;
            try
            {
                result = decision.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                failure = e;
            }
            var go = Finish(new PendingPublish(message, publish.PacketId, default), result, failure);
            await RelieveCongestionAsync();
            return go;
        }
#pragma warning restore CA2012
        Interlocked.Increment(ref _pendingHooks);
        await _hookQueue!.Writer.WriteAsync(new PendingPublish(message, publish.PacketId, decision), token);
        return true;
    }

    private async Task HookLoopAsync()
    {
        await foreach (var pending in _hookQueue!.Reader.ReadAllAsync())
        {
            MessageDisposition? disposition = null;
            Exception? failure = null;
            try
            {
                disposition = await pending.Decision;
            }
            catch (Exception e)
            {
                failure = e;
            }
            Finish(pending, disposition, failure);
            Interlocked.Decrement(ref _pendingHooks);
            await RelieveCongestionAsync();
        }
    }

    /// <summary>Forwards (unless consumed) and acknowledges a message the host has taken; false ends the connection.</summary>
    private bool Finish(in PendingPublish pending, MessageDisposition? disposition, Exception? failure)
    {
        var qos = pending.Message.QualityOfService;
        if (failure is not null)
        {
            if (failure is MessageRefusedException refused)
            {
                _broker.Logger.LogWarning("MQTT message from {Client} on {Topic} refused ({ReasonCode}): {Reason}", Client!.ClientId, pending.Message.Topic, refused.ReasonCode, refused.Message);
            }
            else
            {
                _broker.Logger.LogWarning(failure, "MQTT message from {Client} on {Topic} was not taken by the host", Client!.ClientId, pending.Message.Topic);
            }
            if (qos == QualityOfService.AtMostOnce) return true;
            if (V5)
            {
                Acknowledge(qos, pending.PacketId, (failure as MessageRefusedException)?.ReasonCode ?? ReasonCode.UnspecifiedError, keepQoS2Id: false);
                return true;
            }
            // 3.1.1 has no negative acknowledgement: closing makes the client send the message again.
            lock (Session!.Gate) Session.ReceivedQoS2.Remove(pending.PacketId);
            Abort(DisconnectReason.ServerDisconnected, ReasonCode.UnspecifiedError);
            return false;
        }
        if (disposition == MessageDisposition.Deliver) _broker.Route(pending.Message);
        Acknowledge(qos, pending.PacketId, ReasonCode.Success, keepQoS2Id: true);
        return true;
    }

    private void Acknowledge(QualityOfService qos, ushort packetId, ReasonCode code, bool keepQoS2Id)
    {
        switch (qos)
        {
            case QualityOfService.AtLeastOnce:
                Outbox.SendResponse(PacketType.PubAck, packetId, code);
                break;
            case QualityOfService.ExactlyOnce:
                if (!keepQoS2Id)
                {
                    lock (Session!.Gate) Session.ReceivedQoS2.Remove(packetId);
                }
                Outbox.SendResponse(PacketType.PubRec, packetId, code);
                break;
        }
    }

    private MqttMessage ResolveAlias(PublishPacket publish)
    {
        var alias = publish.TopicAlias;
        if (!V5 || alias > _options.TopicAliasMaximum) throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, $"Topic alias {alias} is above the maximum {_options.TopicAliasMaximum}");
        var message = publish.Message;
        _topicAliases ??= new string?[_options.TopicAliasMaximum + 1];
        if (message.Topic.Length > 0)
        {
            _topicAliases[alias] = message.Topic;
            return message;
        }
        var topic = _topicAliases[alias] ?? throw new MqttProtocolException(ReasonCode.ProtocolError, $"Topic alias {alias} was never set");
        return new MqttMessage(topic, message.Payload, message.QualityOfService, message.Retain, message.Properties);
    }

    private async ValueTask<bool> SubscribeAsync(SubscribePacket subscribe)
    {
        var codes = new List<ReasonCode>(subscribe.Subscriptions.Count);
        var subscriptionId = subscribe.Properties?.SubscriptionIdentifier ?? 0;
        var added = new List<(Subscription Subscription, bool Existed)>(subscribe.Subscriptions.Count);
        foreach (var request in subscribe.Subscriptions)
        {
            if (Topics.ValidateFilter(request.Filter) is { } why)
            {
                _broker.Logger.LogInformation("MQTT client {Client} sent an invalid topic filter '{Filter}': {Why}", Client!.ClientId, request.Filter, why);
                codes.Add(ReasonCode.TopicFilterInvalid);
                continue;
            }
            var shared = request.Filter.StartsWith(Topics.SharePrefix, StringComparison.Ordinal);
            if (shared && request.NoLocal) throw new MqttProtocolException(ReasonCode.ProtocolError, "No Local on a shared subscription");
            if (_broker.IsForbidden(request.Filter))
            {
                _broker.Logger.LogInformation("MQTT client {Client} may not subscribe to '{Filter}': it reaches a forbidden topic filter", Client!.ClientId, request.Filter);
                codes.Add(ReasonCode.NotAuthorized);
                continue;
            }
            if (_options.Authorize is { } authorize && !await authorize(Client!, request.Filter, TopicAccess.Subscribe))
            {
                codes.Add(ReasonCode.NotAuthorized);
                continue;
            }
            var (subscription, existed) = _broker.Subscribe(Session!, request, subscriptionId);
            added.Add((subscription, existed));
            codes.Add((ReasonCode)request.QualityOfService);
        }
        Outbox.Send(new SubAckPacket { PacketId = subscribe.PacketId, ReasonCodes = codes });
        foreach (var (subscription, existed) in added) _broker.SendRetained(subscription, existed);
        return true;
    }

    private void Unsubscribe(UnsubscribePacket unsubscribe)
    {
        var codes = new List<ReasonCode>(unsubscribe.Filters.Count);
        foreach (var filter in unsubscribe.Filters) codes.Add(_broker.Unsubscribe(Session!, filter) ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted);
        Outbox.Send(new UnsubAckPacket { PacketId = unsubscribe.PacketId, ReasonCodes = V5 ? codes : [] });
    }

    private void Disconnect(DisconnectPacket disconnect)
    {
        if (disconnect.Properties?.SessionExpiryInterval is { } expiry)
        {
            if (_sessionExpiry == 0 && expiry != 0) throw new MqttProtocolException(ReasonCode.ProtocolError, "Session expiry set in DISCONNECT after 0 in CONNECT");
            _sessionExpiry = Math.Min(expiry, _sessionExpiryLimit);
        }
        // Only a normal disconnection (0x00, the only one 3.1.1 has) discards the will; 0x04 asks for it, and a client
        // reporting an error (0x80 and up) ended abnormally (5.0, 3.14.4).
        if (disconnect.ReasonCode == ReasonCode.Success) _will = null;
        _reason = DisconnectReason.ClientDisconnected;
    }

    private static MqttMessage WithoutWillDelay(MqttMessage will)
    {
        if (will.Properties is not { WillDelayInterval: not null } p) return will;
        var properties = new MqttProperties
        {
            PayloadFormatIndicator = p.PayloadFormatIndicator,
            MessageExpiryInterval = p.MessageExpiryInterval,
            ContentType = p.ContentType,
            ResponseTopic = p.ResponseTopic,
            CorrelationData = p.CorrelationData,
            UserProperties = p.UserProperties,
        };
        var empty = properties is { PayloadFormatIndicator: null, MessageExpiryInterval: null, ContentType: null, ResponseTopic: null, CorrelationData: null, UserProperties: null };
        return new MqttMessage(will.Topic, will.Payload, will.QualityOfService, will.Retain, empty ? null : properties);
    }
}
