namespace SmartCrm.Mqtt.Packets;

/// <summary>Identifiers of MQTT 5.0 properties (section 2.2.2.2).</summary>
public enum PropertyId : byte
{
    /// <summary>Payload Format Indicator (byte).</summary>
    PayloadFormatIndicator = 0x01,
    /// <summary>Message Expiry Interval (four-byte integer, seconds).</summary>
    MessageExpiryInterval = 0x02,
    /// <summary>Content Type (string).</summary>
    ContentType = 0x03,
    /// <summary>Response Topic (string).</summary>
    ResponseTopic = 0x08,
    /// <summary>Correlation Data (binary).</summary>
    CorrelationData = 0x09,
    /// <summary>Subscription Identifier (variable byte integer).</summary>
    SubscriptionIdentifier = 0x0B,
    /// <summary>Session Expiry Interval (four-byte integer, seconds).</summary>
    SessionExpiryInterval = 0x11,
    /// <summary>Assigned Client Identifier (string).</summary>
    AssignedClientIdentifier = 0x12,
    /// <summary>Server Keep Alive (two-byte integer).</summary>
    ServerKeepAlive = 0x13,
    /// <summary>Authentication Method (string).</summary>
    AuthenticationMethod = 0x15,
    /// <summary>Authentication Data (binary).</summary>
    AuthenticationData = 0x16,
    /// <summary>Request Problem Information (byte).</summary>
    RequestProblemInformation = 0x17,
    /// <summary>Will Delay Interval (four-byte integer, seconds).</summary>
    WillDelayInterval = 0x18,
    /// <summary>Request Response Information (byte).</summary>
    RequestResponseInformation = 0x19,
    /// <summary>Response Information (string).</summary>
    ResponseInformation = 0x1A,
    /// <summary>Server Reference (string).</summary>
    ServerReference = 0x1C,
    /// <summary>Reason String (string).</summary>
    ReasonString = 0x1F,
    /// <summary>Receive Maximum (two-byte integer).</summary>
    ReceiveMaximum = 0x21,
    /// <summary>Topic Alias Maximum (two-byte integer).</summary>
    TopicAliasMaximum = 0x22,
    /// <summary>Topic Alias (two-byte integer).</summary>
    TopicAlias = 0x23,
    /// <summary>Maximum QoS (byte).</summary>
    MaximumQoS = 0x24,
    /// <summary>Retain Available (byte).</summary>
    RetainAvailable = 0x25,
    /// <summary>User Property (string pair).</summary>
    UserProperty = 0x26,
    /// <summary>Maximum Packet Size (four-byte integer).</summary>
    MaximumPacketSize = 0x27,
    /// <summary>Wildcard Subscription Available (byte).</summary>
    WildcardSubscriptionAvailable = 0x28,
    /// <summary>Subscription Identifier Available (byte).</summary>
    SubscriptionIdentifierAvailable = 0x29,
    /// <summary>Shared Subscription Available (byte).</summary>
    SharedSubscriptionAvailable = 0x2A,
}

/// <summary>A user property: a name/value pair of UTF-8 strings (may repeat, order kept).</summary>
/// <param name="Name">Property name.</param>
/// <param name="Value">Property value.</param>
public readonly record struct UserProperty(string Name, string Value);

/// <summary>
/// MQTT 5.0 properties of a packet. Every property is null (absent) unless set; which ones a packet may carry is
/// checked by the codec. Subscription identifiers and topic aliases of PUBLISH live on <see cref="PublishPacket"/>.
/// </summary>
public sealed class MqttProperties
{
    /// <summary>0 = unspecified bytes, 1 = UTF-8 text.</summary>
    public byte? PayloadFormatIndicator { get; set; }
    /// <summary>Lifetime of the message in seconds.</summary>
    public uint? MessageExpiryInterval { get; set; }
    /// <summary>Content type of the payload.</summary>
    public string? ContentType { get; set; }
    /// <summary>Topic for a response (request/response pattern).</summary>
    public string? ResponseTopic { get; set; }
    /// <summary>Correlation data of a request.</summary>
    public ReadOnlyMemory<byte>? CorrelationData { get; set; }
    /// <summary>Subscription identifier of a SUBSCRIBE (1..268,435,455).</summary>
    public int? SubscriptionIdentifier { get; set; }
    /// <summary>Session expiry in seconds (0 = at disconnect, uint.MaxValue = never).</summary>
    public uint? SessionExpiryInterval { get; set; }
    /// <summary>Client identifier the server assigned.</summary>
    public string? AssignedClientIdentifier { get; set; }
    /// <summary>Keep-alive the server imposes.</summary>
    public ushort? ServerKeepAlive { get; set; }
    /// <summary>Enhanced authentication method.</summary>
    public string? AuthenticationMethod { get; set; }
    /// <summary>Enhanced authentication data.</summary>
    public ReadOnlyMemory<byte>? AuthenticationData { get; set; }
    /// <summary>0 or 1.</summary>
    public byte? RequestProblemInformation { get; set; }
    /// <summary>Delay before a will is published, in seconds.</summary>
    public uint? WillDelayInterval { get; set; }
    /// <summary>0 or 1.</summary>
    public byte? RequestResponseInformation { get; set; }
    /// <summary>Basis for response topics.</summary>
    public string? ResponseInformation { get; set; }
    /// <summary>Another server to use.</summary>
    public string? ServerReference { get; set; }
    /// <summary>Human-readable reason.</summary>
    public string? ReasonString { get; set; }
    /// <summary>How many QoS 1 and 2 publications may be in flight towards the sender of this value.</summary>
    public ushort? ReceiveMaximum { get; set; }
    /// <summary>Highest topic alias accepted.</summary>
    public ushort? TopicAliasMaximum { get; set; }
    /// <summary>Highest QoS the server supports (0 or 1; absent = 2).</summary>
    public byte? MaximumQoS { get; set; }
    /// <summary>0 or 1.</summary>
    public byte? RetainAvailable { get; set; }
    /// <summary>Largest packet the sender of this value accepts.</summary>
    public uint? MaximumPacketSize { get; set; }
    /// <summary>0 or 1.</summary>
    public byte? WildcardSubscriptionAvailable { get; set; }
    /// <summary>0 or 1.</summary>
    public byte? SubscriptionIdentifierAvailable { get; set; }
    /// <summary>0 or 1.</summary>
    public byte? SharedSubscriptionAvailable { get; set; }
    /// <summary>User properties, in order; null when none.</summary>
    public List<UserProperty>? UserProperties { get; set; }

    /// <summary>Adds a user property.</summary>
    public MqttProperties AddUserProperty(string name, string value)
    {
        (UserProperties ??= []).Add(new UserProperty(name, value));
        return this;
    }
}
