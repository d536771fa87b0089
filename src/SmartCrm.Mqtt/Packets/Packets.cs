namespace SmartCrm.Mqtt.Packets;

/// <summary>MQTT control packet types (the high nibble of the fixed header).</summary>
public enum PacketType : byte
{
    /// <summary>Client request to connect.</summary>
    Connect = 1,
    /// <summary>Connect acknowledgement.</summary>
    ConnAck = 2,
    /// <summary>Publish message.</summary>
    Publish = 3,
    /// <summary>Publish acknowledgement (QoS 1).</summary>
    PubAck = 4,
    /// <summary>Publish received (QoS 2, part 1).</summary>
    PubRec = 5,
    /// <summary>Publish release (QoS 2, part 2).</summary>
    PubRel = 6,
    /// <summary>Publish complete (QoS 2, part 3).</summary>
    PubComp = 7,
    /// <summary>Subscribe request.</summary>
    Subscribe = 8,
    /// <summary>Subscribe acknowledgement.</summary>
    SubAck = 9,
    /// <summary>Unsubscribe request.</summary>
    Unsubscribe = 10,
    /// <summary>Unsubscribe acknowledgement.</summary>
    UnsubAck = 11,
    /// <summary>Ping request.</summary>
    PingReq = 12,
    /// <summary>Ping response.</summary>
    PingResp = 13,
    /// <summary>Disconnect notification.</summary>
    Disconnect = 14,
    /// <summary>Authentication exchange (5.0 only).</summary>
    Auth = 15,
}

/// <summary>A decoded MQTT control packet.</summary>
public abstract class MqttPacket
{
    /// <summary>The packet type.</summary>
    public abstract PacketType Type { get; }
}

/// <summary>CONNECT.</summary>
public sealed class ConnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.Connect;
    /// <summary>Protocol level of the connection.</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V311;
    /// <summary>Client identifier (may be empty: the server assigns one).</summary>
    public string ClientId { get; set; } = "";
    /// <summary>Clean session (3.1.1) / clean start (5.0).</summary>
    public bool CleanStart { get; set; } = true;
    /// <summary>Keep-alive in seconds (0 = off).</summary>
    public ushort KeepAlive { get; set; }
    /// <summary>User name, or null.</summary>
    public string? UserName { get; set; }
    /// <summary>Password bytes, or null.</summary>
    public ReadOnlyMemory<byte>? Password { get; set; }
    /// <summary>Will message (its properties are the will properties), or null.</summary>
    public MqttMessage? Will { get; set; }
    /// <summary>CONNECT properties (5.0).</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>CONNACK.</summary>
public sealed class ConnAckPacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.ConnAck;
    /// <summary>The server had a session for this client.</summary>
    public bool SessionPresent { get; set; }
    /// <summary>Result; 3.1.1 return codes map to <see cref="ReasonCode.UnsupportedProtocolVersion"/>, <see cref="ReasonCode.ClientIdentifierNotValid"/>, <see cref="ReasonCode.ServerUnavailable"/>, <see cref="ReasonCode.BadUserNameOrPassword"/>, <see cref="ReasonCode.NotAuthorized"/>.</summary>
    public ReasonCode ReasonCode { get; set; }
    /// <summary>CONNACK properties (5.0).</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>PUBLISH.</summary>
public sealed class PublishPacket : MqttPacket
{
    /// <summary>Creates a PUBLISH carrying <paramref name="message"/>.</summary>
    public PublishPacket(MqttMessage message) => Message = message;
    /// <inheritdoc />
    public override PacketType Type => PacketType.Publish;
    /// <summary>The application message (topic may be empty when a topic alias stands for it).</summary>
    public MqttMessage Message { get; set; }
    /// <summary>DUP flag: this is a re-delivery.</summary>
    public bool Duplicate { get; set; }
    /// <summary>Packet identifier (QoS 1 and 2 only).</summary>
    public ushort PacketId { get; set; }
    /// <summary>Topic alias (5.0), 0 = none.</summary>
    public ushort TopicAlias { get; set; }
    /// <summary>Subscription identifiers of the matching subscriptions (5.0, server to client); null when none.</summary>
    public List<int>? SubscriptionIdentifiers { get; set; }
}

/// <summary>Common shape of PUBACK, PUBREC, PUBREL and PUBCOMP.</summary>
public abstract class PublishResponsePacket : MqttPacket
{
    /// <summary>Packet identifier of the PUBLISH this answers.</summary>
    public ushort PacketId { get; set; }
    /// <summary>Reason code (5.0; always success in 3.1.1).</summary>
    public ReasonCode ReasonCode { get; set; }
    /// <summary>Properties (5.0): reason string and user properties.</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>PUBACK.</summary>
public sealed class PubAckPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.PubAck;
}

/// <summary>PUBREC.</summary>
public sealed class PubRecPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.PubRec;
}

/// <summary>PUBREL.</summary>
public sealed class PubRelPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.PubRel;
}

/// <summary>PUBCOMP.</summary>
public sealed class PubCompPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.PubComp;
}

/// <summary>What to do with retained messages when subscribing (5.0).</summary>
public enum RetainHandling : byte
{
    /// <summary>Send retained messages at subscribe.</summary>
    SendAtSubscribe = 0,
    /// <summary>Send them only if the subscription did not exist.</summary>
    SendAtSubscribeIfNew = 1,
    /// <summary>Do not send them.</summary>
    DoNotSend = 2,
}

/// <summary>One topic filter of a SUBSCRIBE with its options.</summary>
/// <param name="Filter">Topic filter (may be a shared subscription).</param>
/// <param name="QualityOfService">Maximum QoS.</param>
/// <param name="NoLocal">5.0: do not send this client's own publications back.</param>
/// <param name="RetainAsPublished">5.0: keep the retain flag when forwarding.</param>
/// <param name="RetainHandling">5.0: when to send retained messages.</param>
public sealed record TopicSubscription(string Filter, QualityOfService QualityOfService = QualityOfService.AtMostOnce, bool NoLocal = false, bool RetainAsPublished = false, RetainHandling RetainHandling = RetainHandling.SendAtSubscribe);

/// <summary>SUBSCRIBE.</summary>
public sealed class SubscribePacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.Subscribe;
    /// <summary>Packet identifier.</summary>
    public ushort PacketId { get; set; }
    /// <summary>Filters with options (at least one).</summary>
    public List<TopicSubscription> Subscriptions { get; set; } = [];
    /// <summary>Properties (5.0): subscription identifier and user properties.</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>SUBACK.</summary>
public sealed class SubAckPacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.SubAck;
    /// <summary>Packet identifier of the SUBSCRIBE.</summary>
    public ushort PacketId { get; set; }
    /// <summary>One reason code per filter (granted QoS or failure; 3.1.1 failure is 0x80).</summary>
    public List<ReasonCode> ReasonCodes { get; set; } = [];
    /// <summary>Properties (5.0).</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>UNSUBSCRIBE.</summary>
public sealed class UnsubscribePacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.Unsubscribe;
    /// <summary>Packet identifier.</summary>
    public ushort PacketId { get; set; }
    /// <summary>Filters to remove (at least one).</summary>
    public List<string> Filters { get; set; } = [];
    /// <summary>Properties (5.0): user properties.</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>UNSUBACK.</summary>
public sealed class UnsubAckPacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.UnsubAck;
    /// <summary>Packet identifier of the UNSUBSCRIBE.</summary>
    public ushort PacketId { get; set; }
    /// <summary>One reason code per filter (5.0 only; empty in 3.1.1).</summary>
    public List<ReasonCode> ReasonCodes { get; set; } = [];
    /// <summary>Properties (5.0).</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>PINGREQ.</summary>
public sealed class PingReqPacket : MqttPacket
{
    /// <summary>The one instance (the packet has no content).</summary>
    public static readonly PingReqPacket Instance = new();
    /// <inheritdoc />
    public override PacketType Type => PacketType.PingReq;
}

/// <summary>PINGRESP.</summary>
public sealed class PingRespPacket : MqttPacket
{
    /// <summary>The one instance (the packet has no content).</summary>
    public static readonly PingRespPacket Instance = new();
    /// <inheritdoc />
    public override PacketType Type => PacketType.PingResp;
}

/// <summary>DISCONNECT.</summary>
public sealed class DisconnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.Disconnect;
    /// <summary>Reason (5.0; normal disconnection in 3.1.1).</summary>
    public ReasonCode ReasonCode { get; set; }
    /// <summary>Properties (5.0): session expiry, reason string, server reference, user properties.</summary>
    public MqttProperties? Properties { get; set; }
}

/// <summary>AUTH (5.0 only).</summary>
public sealed class AuthPacket : MqttPacket
{
    /// <inheritdoc />
    public override PacketType Type => PacketType.Auth;
    /// <summary>Success, continue authentication or re-authenticate.</summary>
    public ReasonCode ReasonCode { get; set; }
    /// <summary>Properties: authentication method and data, reason string, user properties.</summary>
    public MqttProperties? Properties { get; set; }
}
