namespace SmartCrm.Mqtt;

/// <summary>A peer sent bytes that break the MQTT specification; <see cref="ReasonCode"/> says how (malformed packet, protocol error, ...).</summary>
public sealed class MqttProtocolException : Exception
{
    /// <summary>Creates the exception with the reason code to report to the peer.</summary>
    public MqttProtocolException(ReasonCode reasonCode, string message) : base(message) => ReasonCode = reasonCode;

    /// <summary>Creates a malformed-packet exception.</summary>
    public MqttProtocolException(string message) : this(ReasonCode.MalformedPacket, message) { }

    /// <summary>Creates a malformed-packet exception with no detail.</summary>
    public MqttProtocolException() : this(ReasonCode.MalformedPacket, "Malformed MQTT packet") { }

    /// <summary>Creates a malformed-packet exception wrapping a cause.</summary>
    public MqttProtocolException(string message, Exception innerException) : base(message, innerException) => ReasonCode = ReasonCode.MalformedPacket;

    /// <summary>The reason code that describes the violation (0x81 malformed packet, 0x82 protocol error, 0x95 packet too large, ...).</summary>
    public ReasonCode ReasonCode { get; }

    /// <summary>Protocol level byte of a refused CONNECT, so the broker can answer in a form the client understands.</summary>
    internal byte ProtocolLevel { get; init; }
}
