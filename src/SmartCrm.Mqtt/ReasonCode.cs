namespace SmartCrm.Mqtt;

/// <summary>
/// MQTT 5.0 reason codes (section 2.4). Value 0 stands for Success, Normal disconnection and Granted QoS 0 alike.
/// MQTT 3.1.1 return codes are mapped to and from these by the codec.
/// </summary>
public enum ReasonCode : byte
{
    /// <summary>Success, normal disconnection, or granted QoS 0.</summary>
    Success = 0x00,
    /// <summary>Granted QoS 1.</summary>
    GrantedQoS1 = 0x01,
    /// <summary>Granted QoS 2.</summary>
    GrantedQoS2 = 0x02,
    /// <summary>Disconnect, but the server is to publish the will message.</summary>
    DisconnectWithWillMessage = 0x04,
    /// <summary>The message was accepted but nobody is subscribed.</summary>
    NoMatchingSubscribers = 0x10,
    /// <summary>UNSUBSCRIBE of a filter that was not subscribed.</summary>
    NoSubscriptionExisted = 0x11,
    /// <summary>Continue the enhanced authentication exchange.</summary>
    ContinueAuthentication = 0x18,
    /// <summary>Start re-authentication.</summary>
    ReAuthenticate = 0x19,
    /// <summary>Unspecified error.</summary>
    UnspecifiedError = 0x80,
    /// <summary>The packet could not be parsed.</summary>
    MalformedPacket = 0x81,
    /// <summary>The packet breaks the protocol.</summary>
    ProtocolError = 0x82,
    /// <summary>Valid packet that this implementation does not accept.</summary>
    ImplementationSpecificError = 0x83,
    /// <summary>The protocol version is not supported.</summary>
    UnsupportedProtocolVersion = 0x84,
    /// <summary>The client identifier is not valid.</summary>
    ClientIdentifierNotValid = 0x85,
    /// <summary>Bad user name or password.</summary>
    BadUserNameOrPassword = 0x86,
    /// <summary>Not authorised.</summary>
    NotAuthorized = 0x87,
    /// <summary>Server unavailable.</summary>
    ServerUnavailable = 0x88,
    /// <summary>Server busy.</summary>
    ServerBusy = 0x89,
    /// <summary>Banned.</summary>
    Banned = 0x8A,
    /// <summary>Server shutting down.</summary>
    ServerShuttingDown = 0x8B,
    /// <summary>Bad authentication method.</summary>
    BadAuthenticationMethod = 0x8C,
    /// <summary>Keep-alive timeout.</summary>
    KeepAliveTimeout = 0x8D,
    /// <summary>Another connection took over the session.</summary>
    SessionTakenOver = 0x8E,
    /// <summary>Topic filter invalid.</summary>
    TopicFilterInvalid = 0x8F,
    /// <summary>Topic name invalid.</summary>
    TopicNameInvalid = 0x90,
    /// <summary>Packet identifier in use.</summary>
    PacketIdentifierInUse = 0x91,
    /// <summary>Packet identifier not found.</summary>
    PacketIdentifierNotFound = 0x92,
    /// <summary>Receive maximum exceeded.</summary>
    ReceiveMaximumExceeded = 0x93,
    /// <summary>Topic alias invalid.</summary>
    TopicAliasInvalid = 0x94,
    /// <summary>Packet too large.</summary>
    PacketTooLarge = 0x95,
    /// <summary>Message rate too high.</summary>
    MessageRateTooHigh = 0x96,
    /// <summary>Quota exceeded.</summary>
    QuotaExceeded = 0x97,
    /// <summary>Administrative action.</summary>
    AdministrativeAction = 0x98,
    /// <summary>Payload format invalid.</summary>
    PayloadFormatInvalid = 0x99,
    /// <summary>Retain not supported.</summary>
    RetainNotSupported = 0x9A,
    /// <summary>QoS not supported.</summary>
    QoSNotSupported = 0x9B,
    /// <summary>Use another server.</summary>
    UseAnotherServer = 0x9C,
    /// <summary>Server moved.</summary>
    ServerMoved = 0x9D,
    /// <summary>Shared subscriptions not supported.</summary>
    SharedSubscriptionsNotSupported = 0x9E,
    /// <summary>Connection rate exceeded.</summary>
    ConnectionRateExceeded = 0x9F,
    /// <summary>Maximum connect time.</summary>
    MaximumConnectTime = 0xA0,
    /// <summary>Subscription identifiers not supported.</summary>
    SubscriptionIdentifiersNotSupported = 0xA1,
    /// <summary>Wildcard subscriptions not supported.</summary>
    WildcardSubscriptionsNotSupported = 0xA2,
}
