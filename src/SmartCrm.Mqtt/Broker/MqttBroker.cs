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
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<BrokerConnection, Task> _connections = new();
    private readonly Lock _sessionsGate = new();
    private readonly SubscriptionTree _subscriptions = new();
    private readonly RetainedMessages _retained = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly List<IPEndPoint> _endpoints = [];
    private readonly CancellationTokenSource _stopping = new();
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

    /// <summary>Number of subscriptions held by a client's session (0 when there is no session).</summary>
    public int SubscriptionCount(string clientId)
    {
        if (!_sessions.TryGetValue(clientId, out var session)) return 0;
        lock (session.Gate) return session.Subscriptions.Count;
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
        if (message.Properties?.MessageExpiryInterval is { } expiry) message.ExpiresAt = Environment.TickCount64 + expiry * 1000L;
        Route(message);
    }

    /// <summary>
    /// Sends a message to one client only, through that client's own matching subscriptions (for per-device topics
    /// such as RPC requests and attribute pushes, which every device subscribes to under the same name). Queued
    /// when the client is offline with a persistent session. False when the client has no session or no
    /// subscription matching the topic.
    /// </summary>
    public bool PublishToClient(string clientId, MqttMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Topics.ValidateName(message.Topic) is { } why) throw new ArgumentException($"Cannot publish to '{message.Topic}': {why}", nameof(message));
        if (!_sessions.TryGetValue(clientId, out var session)) return false;
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

    /// <summary>Disconnects a client (5.0 clients get DISCONNECT with <paramref name="reasonCode"/>); false when it is not connected.</summary>
    public bool DisconnectClient(string clientId, ReasonCode reasonCode = ReasonCode.AdministrativeAction)
    {
        if (!_sessions.TryGetValue(clientId, out var session) || session.Connection is not { } connection) return false;
        connection.Abort(DisconnectReason.ServerDisconnected, reasonCode);
        return true;
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
            if (!(only.Options.NoLocal && message.PublisherId == only.Session.ClientId))
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
            if (subscription.Options.NoLocal && message.PublisherId == session.ClientId) continue;
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

    internal Session AttachSession(BrokerConnection connection, string clientId, bool cleanStart, uint sessionExpiry, out bool sessionPresent)
    {
        MqttMessage? willToPublish = null;
        Session session;
        lock (_sessionsGate)
        {
            sessionPresent = false;
            if (_sessions.TryGetValue(clientId, out var existing))
            {
                if (existing.Connection is { } old && old != connection)
                {
                    old.Abort(DisconnectReason.SessionTakenOver, ReasonCode.SessionTakenOver);
                    existing.Detach(old);
                }
                // A reconnect before the will delay has passed cancels the will (5.0, 3.1.2.5), unless the session starts afresh.
                if (cleanStart) willToPublish = existing.PendingWill;
                existing.PendingWill = null;
                if (cleanStart)
                {
                    EndSession(existing);
                }
                else
                {
                    existing.ExpiresAt = 0;
                    existing.ExpiryInterval = sessionExpiry;
                    existing.Owner = connection;
                    sessionPresent = true;
                    return existing;
                }
            }
            session = new Session(clientId, Options.MaximumQueuedMessages) { ExpiryInterval = sessionExpiry, Owner = connection };
            _sessions[clientId] = session;
        }
        if (willToPublish is not null) PublishWill(willToPublish);
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

    internal void ConnectionClosed(BrokerConnection connection, Session session, ConnectedClient client, DisconnectReason reason, MqttMessage? will, uint sessionExpiry)
    {
        MqttMessage? publishNow = null;
        lock (_sessionsGate)
        {
            session.Detach(connection);
            var owner = _sessions.TryGetValue(session.ClientId, out var current) && current == session && session.Owner == connection;
            var willDelay = will?.Properties?.WillDelayInterval ?? 0;
            if (will is not null)
            {
                if (owner && willDelay > 0 && sessionExpiry > 0)
                {
                    session.PendingWill = will;
                    session.WillDueAt = Environment.TickCount64 + Math.Min(willDelay, sessionExpiry) * 1000L;
                }
                else if (reason != DisconnectReason.SessionTakenOver || willDelay == 0)
                {
                    publishNow = will;
                }
            }
            if (owner)
            {
                session.ExpiryInterval = sessionExpiry;
                if (sessionExpiry == 0) EndSession(session);
                else if (sessionExpiry != uint.MaxValue) session.ExpiresAt = Environment.TickCount64 + sessionExpiry * 1000L;
            }
        }
        if (publishNow is not null) PublishWill(publishNow);
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

    private void PublishWill(MqttMessage will)
    {
        if (will.Properties?.MessageExpiryInterval is { } expiry) will.ExpiresAt = Environment.TickCount64 + expiry * 1000L;
        Route(will);
    }

    /// <summary>Removes a session and its subscriptions; call under the sessions lock.</summary>
    private void EndSession(Session session)
    {
        _sessions.TryRemove(new KeyValuePair<string, Session>(session.ClientId, session));
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
            List<MqttMessage>? wills = null;
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
                        (wills ??= []).Add(will);
                        session.PendingWill = null;
                    }
                    if (expired) EndSession(session);
                }
            }
            if (wills is not null)
            {
                foreach (var will in wills) PublishWill(will);
            }
        }
        catch (Exception e)
        {
            Logger.LogError(e, "MQTT broker sweep failed");
        }
    }

    /// <summary>Stops listening and closes every connection (5.0 clients get DISCONNECT 0x8B server shutting down).</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
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
        if (_sweep is not null) await _sweep.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
        _subscriptions.Dispose();
    }
}
