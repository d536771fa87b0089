namespace SmartCrm.Mqtt.Broker;

/// <summary>
/// Thrown by <see cref="MqttBrokerOptions.MessageReceived"/> to refuse one message for a reason the publisher should hear:
/// a 5.0 publisher gets <see cref="ReasonCode"/> in its PUBACK or PUBREC (0x99 payload format invalid, 0x87 not authorised, ...)
/// and stays connected; 3.1.1 has no negative acknowledgement, so a 3.1.1 publisher of a QoS 1 or 2 message is disconnected.
/// Logged without a stack trace: the client is at fault, not the host.
/// </summary>
public sealed class MessageRefusedException : Exception
{
    /// <summary>Refuses a message with a failure reason code (0x80 or above) and a message for the log.</summary>
    public MessageRefusedException(ReasonCode reasonCode, string message) : base(message)
    {
        if (reasonCode < ReasonCode.UnspecifiedError) throw new ArgumentException($"A refusal needs a failure reason code (0x80 or above), not {reasonCode}", nameof(reasonCode));
        ReasonCode = reasonCode;
    }

    /// <summary>The reason code sent to a 5.0 publisher.</summary>
    public ReasonCode ReasonCode { get; }
}
