using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmartCrm.Mqtt.Broker;

/// <summary>Settings and extension points of <see cref="MqttBroker"/>.</summary>
public sealed class MqttBrokerOptions
{
    /// <summary>Address to listen on.</summary>
    public IPAddress Address { get; set; } = IPAddress.Any;

    /// <summary>Plain TCP port (0 = any free port; null = no plain listener).</summary>
    public int? Port { get; set; } = 1883;

    /// <summary>TLS port (0 = any free port; null = no TLS listener). Needs <see cref="Certificate"/>.</summary>
    public int? TlsPort { get; set; }

    /// <summary>Server certificate (with private key) for the TLS listener.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Ask TLS clients for a certificate (it reaches <see cref="Authenticate"/> as <see cref="ConnectionRequest.ClientCertificate"/>).</summary>
    public bool RequestClientCertificate { get; set; }

    /// <summary>
    /// Judges a TLS client certificate (for device certificates that no public authority signed); null leaves it to
    /// the operating system's chain validation.
    /// </summary>
    public Func<System.Security.Cryptography.X509Certificates.X509Certificate?, System.Security.Cryptography.X509Certificates.X509Chain?, System.Net.Security.SslPolicyErrors, bool>? ValidateClientCertificate { get; set; }

    /// <summary>Largest packet accepted from clients, fixed header included; larger ones close the connection (5.0: with reason 0x95 packet too large).</summary>
    public int MaximumPacketSize { get; set; } = 1024 * 1024;

    /// <summary>How many QoS 1 and 2 publications a client may have unacknowledged towards the broker (5.0 Receive Maximum).</summary>
    public ushort ReceiveMaximum { get; set; } = 1024;

    /// <summary>Highest topic alias a 5.0 client may use (0 = none).</summary>
    public ushort TopicAliasMaximum { get; set; } = 64;

    /// <summary>Messages kept per session while its client is offline or cannot take more; beyond this new messages are dropped.</summary>
    public int MaximumQueuedMessages { get; set; } = 1000;

    /// <summary>QoS 1/2 messages in flight towards a 3.1.1 client at once (5.0 clients state their own Receive Maximum).</summary>
    public ushort MaximumInflightToClient { get; set; } = 100;

    /// <summary>Bytes a connection may have waiting for the network before QoS 0 messages to it are dropped.</summary>
    public int OutboundBufferLimit { get; set; } = 4 * 1024 * 1024;

    /// <summary>Upper bound on a 5.0 session expiry interval, in seconds; 3.1.1 persistent sessions use it too.</summary>
    public uint MaximumSessionExpiry { get; set; } = uint.MaxValue;

    /// <summary>Time a new connection has to send CONNECT.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Keep-alive imposed on every 5.0 client (Server Keep Alive), or null to accept theirs within <see cref="MaximumKeepAlive"/>.</summary>
    public ushort? ServerKeepAlive { get; set; }

    /// <summary>
    /// Longest keep-alive, in seconds, a client may ask for (null: no limit; at least 1). A 5.0 client asking for more,
    /// or for none (0), is given this value as Server Keep Alive in CONNACK; a 3.1.1 client, which cannot be told, is
    /// refused with return code 2 (identifier rejected), as mosquitto's max_keepalive does. A client silent for 1.5
    /// times its keep-alive is disconnected.
    /// </summary>
    public ushort? MaximumKeepAlive { get; set; }

    /// <summary>
    /// Topic filters nobody may subscribe to (for example <c>$SYS/#</c> or a private subtree). A SUBSCRIBE filter that
    /// could receive any topic one of these matches (<c>#</c> and <c>+/keys</c> against <c>secret/#</c>, shared
    /// subscriptions by their filter) is refused in SUBACK: 0x87 not authorised in 5.0, 0x80 in 3.1.1.
    /// </summary>
    public IReadOnlyList<string> ForbiddenTopicFilters { get; set; } = [];

    /// <summary>
    /// Decides on each CONNECT. Null accepts everyone. Runs before any session state changes, so a refusal leaves
    /// an existing session of the same client identifier alone.
    /// </summary>
    public Func<ConnectionRequest, CancellationToken, ValueTask<ConnectionDecision>>? Authenticate { get; set; }

    /// <summary>
    /// Decides whether a client may publish to a topic name, subscribe to a topic filter (the filter as sent,
    /// shared prefix included) or leave a will on a topic name (<see cref="TopicAccess.Will"/>, asked at CONNECT).
    /// Null allows everything. A refused PUBLISH is dropped (5.0 QoS 1/2: acknowledged with 0x87 not authorised); a
    /// refused filter gets a failure in SUBACK; a refused will refuses the connection with 0x87.
    /// </summary>
    public Func<ConnectedClient, string, TopicAccess, ValueTask<bool>>? Authorize { get; set; }

    /// <summary>
    /// Receives every accepted PUBLISH before it is acknowledged or forwarded. The broker awaits the returned task
    /// before routing and before sending PUBACK/PUBREC, so a host that stores the message first acknowledges only
    /// durable data; messages of one connection are handed over in order and acknowledged in order, and several
    /// may be in the host's hands at once (up to <see cref="ReceiveMaximum"/>). If the task fails the message is not
    /// forwarded: a 5.0 client gets reason 0x80, a 3.1.1 client is disconnected so that it sends the message again.
    /// Wills pass through here too (<see cref="InboundMessage.IsWill"/>) before they are published.
    /// </summary>
    public Func<InboundMessage, CancellationToken, ValueTask<MessageDisposition>>? MessageReceived { get; set; }

    /// <summary>Called when a client has connected (after CONNACK), for online status.</summary>
    public Action<ConnectedClient>? ClientConnected { get; set; }

    /// <summary>Called when a client's connection has ended, with why, for offline status.</summary>
    public Action<ConnectedClient, DisconnectReason>? ClientDisconnected { get; set; }
}
