using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Transport;

namespace SmartCrm.Mqtt.Broker;

/// <summary>
/// An MQTT 3.1.1 and 5.0 broker. Listens on TCP (and TLS) after <see cref="StartAsync"/>, or takes connections
/// from another server through <see cref="HandleConnectionAsync"/>. The host plugs in through the hooks of
/// <see cref="MqttBrokerOptions"/> and publishes with <see cref="Publish"/> and <see cref="PublishToClient"/>.
/// </summary>
public sealed class MqttBroker : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SessionKey, Session> _sessions = new();
    private readonly ConcurrentDictionary<BrokerConnection, Task> _connections = new();
    private readonly Lock _sessionsGate = new();
    private readonly SubscriptionTree _subscriptions = new();
    private readonly RetainedMessages _retained = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly List<IPEndPoint> _endpoints = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly string[] _forbidden;
    private readonly Lock _stopGate = new();
    private Task? _stop;
    private Timer? _sweep;
    private long _received;
    private long _routed;

    [ThreadStatic] private static List<Subscription>? t_plain;
    [ThreadStatic] private static List<Subscription>? t_shared;
    [ThreadStatic] private static Dictionary<Session, int>? t_index;
    [ThreadStatic] private static List<Delivery>? t_deliveries;
    [ThreadStatic] private static List<Session>? t_targets;

    /// <summary>Creates a broker; nothing listens until <see cref="StartAsync"/>.</summary>
    public MqttBroker(MqttBrokerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaximumPacketSize < 64) throw new ArgumentException($"MaximumPacketSize {options.MaximumPacketSize} is too small for MQTT (at least 64)", nameof(options));
        if (options.TlsPort is not null && options.Certificate is null) throw new ArgumentException("TlsPort needs a Certificate", nameof(options));
        if (options.ReceiveMaximum == 0) throw new ArgumentException("ReceiveMaximum must be at least 1", nameof(options));
        if (options.MaximumKeepAlive == 0) throw new ArgumentException("MaximumKeepAlive must be at least 1 second (null for no limit)", nameof(options));
        if (options.ServerKeepAlive is { } imposed && options.MaximumKeepAlive is { } maximum && (imposed == 0 || imposed > maximum))
            throw new ArgumentException($"ServerKeepAlive {imposed} is outside 1..MaximumKeepAlive ({maximum})", nameof(options));
        ArgumentNullException.ThrowIfNull(options.ForbiddenTopicFilters, nameof(options.ForbiddenTopicFilters));
        foreach (var filter in options.ForbiddenTopicFilters)
        {
            if (Topics.ValidateFilter(filter) is { } why) throw new ArgumentException($"ForbiddenTopicFilters: '{filter}' is not a topic filter: {why}", nameof(options));
        }
        _forbidden = [.. options.ForbiddenTopicFilters];
        Options = options;
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The settings.</summary>
    public MqttBrokerOptions Options { get; }

    internal ILogger Logger { get; }

    /// <summary>Where the broker listens (with the actual ports when 0 was asked).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => _endpoints;

    /// <summary>The plain TCP port actually bound (or the TLS one when there is no plain listener).</summary>
    public int Port => _endpoints.Count > 0 ? _endpoints[0].Port : throw new InvalidOperationException("The broker is not listening");

    /// <summary>Connected clients right now.</summary>
    public IReadOnlyList<ConnectedClient> ConnectedClients
    {
        get
        {
            var list = new List<ConnectedClient>();
            foreach (var c in _connections.Keys)
            {
                if (c.Client is { } client && c.Session?.Connection == c) list.Add(client);
            }
            return list;
        }
    }

    /// <summary>Sessions held (online and offline).</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Number of subscriptions held by the sessions of a client identifier, whatever their owner (0 when there is none).</summary>
    public int SubscriptionCount(string clientId)
    {
        var count = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.ClientId != clientId) continue;
            lock (session.Gate) count += session.Subscriptions.Count;
        }
        return count;
    }

    /// <summary>PUBLISH packets accepted from clients since start.</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    /// <summary>Messages routed (client and server publications) since start.</summary>
    public long MessagesRouted => Interlocked.Read(ref _routed);

    /// <summary>Binds the listeners and starts accepting connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Options.Port is { } port) Listen(port, tls: false);
        if (Options.TlsPort is { } tlsPort) Listen(tlsPort, tls: true);
        _sweep = new Timer(_ => Sweep(), null, 250, 250);
        return Task.CompletedTask;
    }

    private void Listen(int port, bool tls)
    {
        var socket = new Socket(Options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (Options.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(new IPEndPoint(Options.Address, port));
            socket.Listen(1024);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _listeners.Add(socket);
        _endpoints.Add((IPEndPoint)socket.LocalEndPoint!);
        _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(socket, tls)));
        Logger.LogInformation("MQTT broker listening on {EndPoint}{Tls}", socket.LocalEndPoint, tls ? " (TLS)" : "");
    }

    private async Task AcceptLoopAsync(Socket listener, bool tls)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Logger.LogWarning(e, "MQTT accept failed");
                continue;
            }
            _ = Task.Run(() => ServeSocketAsync(socket, tls));
        }
    }

    private async Task ServeSocketAsync(Socket socket, bool tls)
    {
        socket.NoDelay = true;
        var remote = socket.RemoteEndPoint;
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        X509Certificate2? clientCertificate = null;
        try
        {
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(Options.ConnectTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = Options.Certificate,
                    ClientCertificateRequired = Options.RequestClientCertificate,
                    RemoteCertificateValidationCallback = Options.ValidateClientCertificate is { } validate ? (_, certificate, chain, errors) => validate(certificate, chain, errors) : null,
                }, timeout.Token);
                if (ssl.RemoteCertificate is { } presented) clientCertificate = presented as X509Certificate2 ?? new X509Certificate2(presented);
            }
        }
        catch (Exception e)
        {
            Logger.LogInformation("MQTT TLS handshake with {Remote} failed: {Message}", remote, e.Message);
            await stream.DisposeAsync();
            socket.Dispose();
            return;
        }
        var transport = new StreamTransport(socket, stream);
        await using (transport)
        {
            await HandleConnectionAsync(transport, remote, clientCertificate);
        }
    }

    /// <summary>
    /// Serves one client connection over <paramref name="transport"/> until it ends (for hosting inside another
    /// server, such as a Kestrel connection handler). The caller owns and disposes the transport.
    /// </summary>
    public async Task HandleConnectionAsync(IDuplexPipe transport, EndPoint? remoteEndPoint = null, X509Certificate2? clientCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var connection = new BrokerConnection(this, transport, remoteEndPoint, clientCertificate);
        var run = connection.RunAsync();
        _connections[connection] = run;
        if (_stopping.IsCancellationRequested) connection.Abort(DisconnectReason.ServerDisconnected, ReasonCode.ServerShuttingDown);
        try
        {
            await run;
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>
    /// Publishes a message from the host to every matching subscription (and keeps it when retained), as if a
    /// client had published it. Throws <see cref="ArgumentException"/> for an invalid topic name.
    /// </summary>
    public void Publish(MqttMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Topics.ValidateName(message.Topic) is { } why) throw new ArgumentException($"Cannot publish to '{message.Topic}': {why}", nameof(message));
        CheckProperties(message);
        if (message.Properties?.MessageExpiryInterval is { } expiry) message.ExpiresAt = Environment.TickCount64 + expiry * 1000L;
        Route(message);
    }

    /// <summary>
    /// Sends a message to one client's session only, through its own matching subscriptions (for per-device topics
    /// such as RPC requests and attribute pushes, which every device subscribes to under the same name). The session
    /// is the client's owner and client identifier, so it still reaches the client after it reconnects, and is
    /// queued while it is offline with a persistent session. False when the session has ended or has no
    /// subscription matching the topic.
    /// </summary>
    public bool PublishToClient(ConnectedClient client, MqttMessage message)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(message);
        if (Topics.ValidateName(message.Topic) is { } why) throw new ArgumentException($"Cannot publish to '{message.Topic}': {why}", nameof(message));
        CheckProperties(message);
        if (!_sessions.TryGetValue(new SessionKey(client.SessionOwner, client.ClientId), out var session)) return false;
        if (message.Properties?.MessageExpiryInterval is { } expiry) message.ExpiresAt = Environment.TickCount64 + expiry * 1000L;
        var found = false;
        var qos = QualityOfService.AtMostOnce;
        var retain = false;
        List<int>? ids = null;
        lock (session.Gate)
        {
            foreach (var subscription in session.Subscriptions.Values)
            {
                Topics.TrySplitShared(subscription.Filter, out _, out var filter);
                if (!Topics.Matches(filter, message.Topic)) continue;
                found = true;
                var granted = (QualityOfService)Math.Min((int)message.QualityOfService, (int)subscription.Options.QualityOfService);
                if (granted > qos) qos = granted;
                retain |= subscription.Options.RetainAsPublished && message.Retain;
                if (subscription.SubscriptionId != 0) (ids ??= []).Add(subscription.SubscriptionId);
            }
        }
        if (found) session.Deliver(new Delivery(message, qos, retain, ids));
        return found;
    }

    /// <summary>Disconnects every connection using a client identifier, whatever its owner (5.0 clients get DISCONNECT with <paramref name="reasonCode"/>); false when none is connected. Their wills are published.</summary>
    public bool DisconnectClient(string clientId, ReasonCode reasonCode = ReasonCode.AdministrativeAction)
    {
        var any = false;
        foreach (var session in _sessions.Values)
        {
            if (session.ClientId != clientId || session.Connection is not { } connection) continue;
            connection.Abort(DisconnectReason.ServerDisconnected, reasonCode);
            any = true;
        }
        return any;
    }

    /// <summary>Disconnects the connection of one client's session (5.0 clients get DISCONNECT with <paramref name="reasonCode"/>); false when it is not connected. Its will is published.</summary>
    public bool DisconnectClient(ConnectedClient client, ReasonCode reasonCode = ReasonCode.AdministrativeAction)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!_sessions.TryGetValue(new SessionKey(client.SessionOwner, client.ClientId), out var session) || session.Connection is not { } connection) return false;
        connection.Abort(DisconnectReason.ServerDisconnected, reasonCode);
        return true;
    }

    /// <summary>A host message whose properties a PUBLISH cannot carry would fail at the first 5.0 subscriber, after others had it: refuse it whole.</summary>
    private static void CheckProperties(MqttMessage message)
    {
        if (message.Properties is { } properties) PropertyCodec.Size(properties, (int)PacketType.Publish);
    }

    /// <summary>True when a filter (shared or not) could receive a topic of a forbidden filter.</summary>
    internal bool IsForbidden(string filter)
    {
        foreach (var forbidden in _forbidden)
        {
            if (Topics.Overlap(forbidden, filter)) return true;
        }
        return false;
    }

    /// <summary>Routes a message to the sessions whose subscriptions match: one copy per session (highest QoS, all subscription identifiers), one member per shared group.</summary>
    internal void Route(MqttMessage message)
    {
        Interlocked.Increment(ref _routed);
        BrokerConnection.ClearCongestion();
        if (message.Retain) _retained.Set(message);
        var plain = t_plain ??= [];
        var shared = t_shared ??= [];
        plain.Clear();
        shared.Clear();
        _subscriptions.Match(message.Topic, plain, shared);
        if (plain.Count == 1)
        {
            var only = plain[0];
            if (!(only.Options.NoLocal && ReferenceEquals(message.Publisher, only.Session)))
                only.Session.Deliver(DeliveryFor(message, only, null));
        }
        else if (plain.Count > 1)
        {
            DeliverMany(message, plain);
        }
        foreach (var member in shared) member.Session.Deliver(DeliveryFor(message, member, null));
        plain.Clear();
        shared.Clear();
    }

    private static Delivery DeliveryFor(MqttMessage message, Subscription subscription, List<int>? ids)
    {
        var qos = (QualityOfService)Math.Min((int)message.QualityOfService, (int)subscription.Options.QualityOfService);
        if (subscription.SubscriptionId != 0 && ids is null) ids = [subscription.SubscriptionId];
        return new Delivery(message, qos, subscription.Options.RetainAsPublished && message.Retain, ids);
    }

    private static void DeliverMany(MqttMessage message, List<Subscription> plain)
    {
        var index = t_index ??= [];
        var deliveries = t_deliveries ??= [];
        var targets = t_targets ??= [];
        foreach (var subscription in plain)
        {
            var session = subscription.Session;
            if (subscription.Options.NoLocal && ReferenceEquals(message.Publisher, session)) continue;
            if (!index.TryGetValue(session, out var at))
            {
                index[session] = deliveries.Count;
                deliveries.Add(DeliveryFor(message, subscription, null));
                targets.Add(session);
                continue;
            }
            // Overlapping subscriptions of one session: one copy, highest QoS, every subscription identifier.
            var d = deliveries[at];
            var qos = (QualityOfService)Math.Max((int)d.QualityOfService, Math.Min((int)message.QualityOfService, (int)subscription.Options.QualityOfService));
            var ids = d.SubscriptionIds;
            if (subscription.SubscriptionId != 0)
            {
                ids = ids is null ? [] : [.. ids];
                ids.Add(subscription.SubscriptionId);
            }
            deliveries[at] = new Delivery(message, qos, d.Retain || (subscription.Options.RetainAsPublished && message.Retain), ids);
        }
        for (var i = 0; i < targets.Count; i++) targets[i].Deliver(deliveries[i]);
        index.Clear();
        deliveries.Clear();
        targets.Clear();
    }

    /// <summary>
    /// Gives a connection the session of its owner and client identifier: a connected one is taken over (its
    /// connection closed with 0x8E), an offline one resumed, or a new one made. Other owners' sessions of the same
    /// client identifier are never touched.
    /// </summary>
    internal Session AttachSession(BrokerConnection connection, SessionKey key, bool cleanStart, uint sessionExpiry, out bool sessionPresent)
    {
        MqttMessage? willToPublish = null;
        ConnectedClient? willFrom = null;
        Session session;
        lock (_sessionsGate)
        {
            sessionPresent = false;
            if (_sessions.TryGetValue(key, out var existing))
            {
                if (existing.Connection is { } old && old != connection)
                {
                    old.Abort(DisconnectReason.SessionTakenOver, ReasonCode.SessionTakenOver);
                    existing.Detach(old);
                }
                // A reconnect before the will delay has passed cancels the will (5.0, 3.1.2.5), unless the session starts afresh:
                // then the session ends, and a session's end sends its will.
                if (cleanStart)
                {
                    willToPublish = existing.PendingWill;
                    willFrom = existing.PendingWillFrom;
                }
                existing.PendingWill = null;
                existing.PendingWillFrom = null;
                if (cleanStart)
                {
                    EndSession(existing);
                }
                else
                {
                    existing.ExpiresAt = 0;
                    existing.ExpiryInterval = sessionExpiry;
                    existing.Holder = connection;
                    sessionPresent = true;
                    return existing;
                }
            }
            session = new Session(key.ClientId, Options.MaximumQueuedMessages, key.Owner) { ExpiryInterval = sessionExpiry, Holder = connection };
            _sessions[key] = session;
        }
        if (willToPublish is not null) PublishWill(willToPublish, willFrom);
        return session;
    }

    internal void ClientAttached(BrokerConnection connection, ConnectedClient client)
    {
        Logger.LogDebug("MQTT client {Client} connected from {Remote} ({Version})", client.ClientId, connection.RemoteEndPoint, client.ProtocolVersion);
        try
        {
            Options.ClientConnected?.Invoke(client);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "ClientConnected hook failed for {Client}", client.ClientId);
        }
    }

    /// <summary>
    /// A connection that had a session has ended: detach it, and publish its will now, later (5.0 Will Delay
    /// Interval, cut short by the session's end) or never (DISCONNECT 0x00 already dropped it; a new connection
    /// resumed the session within the delay).
    /// </summary>
    internal void ConnectionClosed(BrokerConnection connection, Session session, ConnectedClient client, DisconnectReason reason, MqttMessage? will, uint willDelay, uint sessionExpiry)
    {
        MqttMessage? publishNow = null;
        // A broker going down takes the wills' subscribers with it, and a device's "offline" would be untrue.
        if (_stopping.IsCancellationRequested) will = null;
        lock (_sessionsGate)
        {
            session.Detach(connection);
            var holder = _sessions.TryGetValue(session.Key, out var current) && current == session && session.Holder == connection;
            if (will is not null)
            {
                if (!holder)
                {
                    // Another connection took the session over: it either resumed it, which cancels a delayed will,
                    // or started afresh, which ended it and so sends the will now.
                    if (willDelay == 0 || session.Ended) publishNow = will;
                }
                else if (willDelay > 0 && sessionExpiry > 0)
                {
                    session.PendingWill = will;
                    session.PendingWillFrom = client;
                    session.WillDueAt = Environment.TickCount64 + Math.Min(willDelay, sessionExpiry) * 1000L;
                }
                else
                {
                    publishNow = will;
                }
            }
            if (holder)
            {
                session.ExpiryInterval = sessionExpiry;
                if (sessionExpiry == 0) EndSession(session);
                else if (sessionExpiry != uint.MaxValue) session.ExpiresAt = Environment.TickCount64 + sessionExpiry * 1000L;
            }
        }
        if (publishNow is not null) PublishWill(publishNow, client);
        Logger.LogDebug("MQTT client {Client} disconnected: {Reason}", client.ClientId, reason);
        try
        {
            Options.ClientDisconnected?.Invoke(client, reason);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "ClientDisconnected hook failed for {Client}", client.ClientId);
        }
    }

    /// <summary>Publishes a will on behalf of the client that left it: through the host's message hook when there is one, like any publication.</summary>
    private void PublishWill(MqttMessage will, ConnectedClient? from)
    {
        if (_stopping.IsCancellationRequested) return;
        if (will.Properties?.MessageExpiryInterval is { } expiry) will.ExpiresAt = Environment.TickCount64 + expiry * 1000L;
        if (Options.MessageReceived is { } hook && from is not null)
        {
            _ = PublishWillThroughHostAsync(hook, will, from);
            return;
        }
        try
        {
            Route(will);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "MQTT will of {Client} on {Topic} could not be published", from?.ClientId, will.Topic);
        }
    }

    private async Task PublishWillThroughHostAsync(Func<InboundMessage, CancellationToken, ValueTask<MessageDisposition>> hook, MqttMessage will, ConnectedClient from)
    {
        try
        {
            if (await hook(new InboundMessage(from, will) { IsWill = true }, _stopping.Token) == MessageDisposition.Deliver) Route(will);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            Logger.LogWarning(e, "MQTT will of {Client} on {Topic} was not taken by the host", from.ClientId, will.Topic);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Removes a session and its subscriptions; call under the sessions lock.</summary>
    private void EndSession(Session session)
    {
        _sessions.TryRemove(new KeyValuePair<SessionKey, Session>(session.Key, session));
        List<Subscription> subscriptions;
        lock (session.Gate)
        {
            session.Ended = true;
            subscriptions = [.. session.Subscriptions.Values];
        }
        foreach (var s in subscriptions) _subscriptions.Remove(s);
        session.Clear();
    }

    internal (Subscription Subscription, bool Existed) Subscribe(Session session, TopicSubscription request, int subscriptionId)
    {
        lock (session.Gate)
        {
            if (session.Subscriptions.TryGetValue(request.Filter, out var existing))
            {
                existing.Options = request;
                existing.SubscriptionId = subscriptionId;
                return (existing, true);
            }
            var subscription = new Subscription(session, request.Filter, request, subscriptionId);
            session.Subscriptions[request.Filter] = subscription;
            _subscriptions.Add(subscription);
            return (subscription, false);
        }
    }

    internal bool Unsubscribe(Session session, string filter)
    {
        Subscription? subscription;
        lock (session.Gate)
        {
            if (!session.Subscriptions.Remove(filter, out subscription)) return false;
        }
        _subscriptions.Remove(subscription);
        return true;
    }

    /// <summary>Sends the retained messages a new subscription asks for (never for shared subscriptions).</summary>
    internal void SendRetained(Subscription subscription, bool existed)
    {
        var handling = subscription.Options.RetainHandling;
        if (handling == RetainHandling.DoNotSend || (handling == RetainHandling.SendAtSubscribeIfNew && existed)) return;
        if (subscription.Filter.StartsWith(Topics.SharePrefix, StringComparison.Ordinal) || _retained.Count == 0) return;
        var found = new List<MqttMessage>();
        _retained.Match(subscription.Filter, found);
        foreach (var message in found)
        {
            var qos = (QualityOfService)Math.Min((int)message.QualityOfService, (int)subscription.Options.QualityOfService);
            subscription.Session.Deliver(new Delivery(message, qos, Retain: true, subscription.SubscriptionId != 0 ? [subscription.SubscriptionId] : null));
        }
    }

    internal void CountReceived() => Interlocked.Increment(ref _received);

    private void Sweep()
    {
        try
        {
            var now = Environment.TickCount64;
            foreach (var connection in _connections.Keys)
            {
                if (!connection.IsOverdue(now)) continue;
                Logger.LogInformation("MQTT client {Client} at {Remote} timed out", connection.Client?.ClientId ?? "(connecting)", connection.RemoteEndPoint);
                connection.Abort(DisconnectReason.KeepAliveTimeout, ReasonCode.KeepAliveTimeout);
            }
            List<(MqttMessage Will, ConnectedClient? From)>? wills = null;
            foreach (var session in _sessions.Values)
            {
                if (session.Connection is not null) continue;
                var due = session.PendingWill is not null && session.WillDueAt <= now;
                var expired = session.ExpiresAt != 0 && session.ExpiresAt <= now;
                if (!due && !expired) continue;
                lock (_sessionsGate)
                {
                    if (session.Connection is not null || session.Ended) continue;
                    if (session.PendingWill is { } will && (session.WillDueAt <= now || expired))
                    {
                        (wills ??= []).Add((will, session.PendingWillFrom));
                        session.PendingWill = null;
                        session.PendingWillFrom = null;
                    }
                    if (expired) EndSession(session);
                }
            }
            if (wills is not null)
            {
                foreach (var (will, from) in wills) PublishWill(will, from);
            }
        }
        catch (Exception e)
        {
            Logger.LogError(e, "MQTT broker sweep failed");
        }
    }

    /// <summary>Stops listening and closes every connection (5.0 clients get DISCONNECT 0x8B server shutting down); later calls wait for the same stop.</summary>
    public Task StopAsync()
    {
        lock (_stopGate) return _stop ??= StopOnceAsync();
    }

    private async Task StopOnceAsync()
    {
        await _stopping.CancelAsync();
        foreach (var listener in _listeners) listener.Dispose();
        try
        {
            await Task.WhenAll(_acceptLoops);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        foreach (var connection in _connections.Keys) connection.Abort(DisconnectReason.ServerDisconnected, ReasonCode.ServerShuttingDown);
        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            Logger.LogWarning("MQTT broker stopped with connections still closing");
        }
        catch (Exception e)
        {
            Logger.LogError(e, "MQTT connection failed while the broker stopped");
        }
        if (_sweep is not null) await _sweep.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        // A connection still closing after the stop's wait still uses these; the collector takes them then.
        foreach (var connection in _connections.Values)
        {
            if (!connection.IsCompleted) return;
        }
        _stopping.Dispose();
        _subscriptions.Dispose();
    }
}
