using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmartCrm.Mqtt.Broker;

/// <summary>What a client presented in CONNECT, for <see cref="MqttBrokerOptions.Authenticate"/>.</summary>
public sealed class ConnectionRequest
{
    internal ConnectionRequest(string clientId, string? userName, ReadOnlyMemory<byte>? password, MqttProtocolVersion protocolVersion, EndPoint? remoteEndPoint, X509Certificate2? clientCertificate, IReadOnlyList<Packets.UserProperty>? userProperties)
    {
        ClientId = clientId;
        UserName = userName;
        Password = password;
        ProtocolVersion = protocolVersion;
        RemoteEndPoint = remoteEndPoint;
        ClientCertificate = clientCertificate;
        UserProperties = userProperties ?? [];
    }

    /// <summary>Client identifier (assigned by the broker when the client sent an empty one).</summary>
    public string ClientId { get; }

    /// <summary>User name, if sent.</summary>
    public string? UserName { get; }

    /// <summary>Password bytes, if sent.</summary>
    public ReadOnlyMemory<byte>? Password { get; }

    /// <summary>Protocol version of the connection.</summary>
    public MqttProtocolVersion ProtocolVersion { get; }

    /// <summary>Where the client connects from.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>TLS client certificate, when one was presented.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>CONNECT user properties (5.0).</summary>
    public IReadOnlyList<Packets.UserProperty> UserProperties { get; }
}

/// <summary>Answer of <see cref="MqttBrokerOptions.Authenticate"/>.</summary>
public readonly record struct ConnectionDecision
{
    private ConnectionDecision(bool accepted, object? identity, ReasonCode reasonCode)
    {
        Accepted = accepted;
        Identity = identity;
        ReasonCode = reasonCode;
    }

    /// <summary>True when the client may connect.</summary>
    public bool Accepted { get; }

    /// <summary>The host's object for this client (a device, a user), handed back in every later hook.</summary>
    public object? Identity { get; }

    /// <summary>Why the client is refused (sent in CONNACK; mapped to a 3.1.1 return code for 3.1.1 clients).</summary>
    public ReasonCode ReasonCode { get; }

    /// <summary>
    /// Whose sessions this client may use. Sessions are kept per owner and client identifier: a connection resumes or
    /// takes over (as the specification says for a repeated client identifier) only a session of its own owner, and
    /// the same client identifier under another owner is another session, so no identity can end, resume or read
    /// another's session by choosing its client identifier. Null means the user name from CONNECT; a host that
    /// authenticates by something else (a certificate, a token mapped to a device) names the owner here, and a fresh
    /// value per connection gives a connection a session nobody else can reach.
    /// </summary>
    public string? SessionOwner { get; init; }

    /// <summary>
    /// Longest session expiry, in seconds, this client may have (0: its session ends with its connection); lower than
    /// <see cref="MqttBrokerOptions.MaximumSessionExpiry"/> for clients that should not leave state behind. A 5.0 client
    /// is told the value in CONNACK. Null leaves the broker's maximum.
    /// </summary>
    public uint? MaximumSessionExpiry { get; init; }

    /// <summary>Accepts the client with the host's identity object (its sessions belong to its user name unless <see cref="SessionOwner"/> says otherwise).</summary>
    public static ConnectionDecision Accept(object? identity = null) => new(true, identity, ReasonCode.Success);

    /// <summary>Refuses the client; typical codes: 0x86 bad user name or password, 0x87 not authorised, 0x8A banned, 0x85 client identifier not valid.</summary>
    public static ConnectionDecision Refuse(ReasonCode reasonCode) =>
        reasonCode >= ReasonCode.UnspecifiedError ? new(false, null, reasonCode) : throw new ArgumentException($"Refusal needs a failure reason code (0x80 or above), not {reasonCode}", nameof(reasonCode));
}

/// <summary>What a client wants to do with a topic.</summary>
public enum TopicAccess
{
    /// <summary>Publish to a topic name.</summary>
    Publish,

    /// <summary>Subscribe to a topic filter.</summary>
    Subscribe,

    /// <summary>Leave a will on a topic name (asked at CONNECT; the will is published later on the client's behalf).</summary>
    Will,
}

/// <summary>What the broker does with a message after <see cref="MqttBrokerOptions.MessageReceived"/>.</summary>
public enum MessageDisposition
{
    /// <summary>Forward it to matching subscribers (and keep it if retained).</summary>
    Deliver,

    /// <summary>The host has handled it; subscribers do not see it (for device-private topics such as ThingsBoard's <c>v1/devices/me/...</c>).</summary>
    Consume,
}

/// <summary>Why a client's connection ended.</summary>
public enum DisconnectReason
{
    /// <summary>The client sent DISCONNECT.</summary>
    ClientDisconnected,
    /// <summary>The network connection closed or failed without DISCONNECT.</summary>
    ConnectionLost,
    /// <summary>Nothing arrived within 1.5 times the keep-alive.</summary>
    KeepAliveTimeout,
    /// <summary>The client broke the protocol (malformed packet, oversize packet, ...).</summary>
    ProtocolError,
    /// <summary>Another connection with the same client identifier took over the session.</summary>
    SessionTakenOver,
    /// <summary>The broker or the host closed the connection.</summary>
    ServerDisconnected,
}

/// <summary>A connected client as the host sees it.</summary>
public sealed class ConnectedClient
{
    internal ConnectedClient(string clientId, string? userName, object? identity, MqttProtocolVersion protocolVersion, EndPoint? remoteEndPoint, string? sessionOwner = null)
    {
        ClientId = clientId;
        UserName = userName;
        SessionOwner = sessionOwner;
        Identity = identity;
        ProtocolVersion = protocolVersion;
        RemoteEndPoint = remoteEndPoint;
        ConnectedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Client identifier.</summary>
    public string ClientId { get; }

    /// <summary>User name from CONNECT.</summary>
    public string? UserName { get; }

    /// <summary>Owner of the client's session (see <see cref="ConnectionDecision.SessionOwner"/>): with <see cref="ClientId"/>, it names the session.</summary>
    public string? SessionOwner { get; }

    /// <summary>The object the authentication hook returned.</summary>
    public object? Identity { get; }

    /// <summary>Protocol version.</summary>
    public MqttProtocolVersion ProtocolVersion { get; }

    /// <summary>Remote address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>When CONNECT was accepted.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{ClientId} ({UserName ?? "anonymous"}, {RemoteEndPoint})";
}

/// <summary>A PUBLISH the broker accepted, or a will it is about to publish, as handed to <see cref="MqttBrokerOptions.MessageReceived"/>.</summary>
/// <param name="Client">Who published it (for a will: the connection that left it, which has ended).</param>
/// <param name="Message">The message (topic aliases already resolved; for a will, without the Will Delay Interval).</param>
public sealed record InboundMessage(ConnectedClient Client, MqttMessage Message)
{
    /// <summary>True for a will published on the client's behalf after its connection ended; nobody waits for an acknowledgement.</summary>
    public bool IsWill { get; init; }
}
