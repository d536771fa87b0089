using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Client;

/// <summary>A message the broker delivered to this client.</summary>
/// <param name="Message">The message (topic alias resolved; retain flag as delivered).</param>
/// <param name="Duplicate">The DUP flag: the broker may have delivered it before.</param>
/// <param name="SubscriptionIdentifiers">5.0 identifiers of the subscriptions that matched (empty when none).</param>
public sealed record ReceivedMessage(MqttMessage Message, bool Duplicate, IReadOnlyList<int> SubscriptionIdentifiers);

/// <summary>Outcome of a successful CONNECT.</summary>
/// <param name="SessionPresent">The broker resumed an existing session.</param>
/// <param name="Properties">5.0 CONNACK properties (limits the broker imposes), or null.</param>
public sealed record ConnectResult(bool SessionPresent, MqttProperties? Properties);

/// <summary>The broker refused the connection or the connection attempt failed.</summary>
public sealed class MqttConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MqttConnectException(ReasonCode reasonCode, string message) : base(message) => ReasonCode = reasonCode;

    /// <summary>Creates the exception with no reason.</summary>
    public MqttConnectException() : this(ReasonCode.UnspecifiedError, "MQTT connection failed") { }

    /// <summary>Creates the exception with a message.</summary>
    public MqttConnectException(string message) : this(ReasonCode.UnspecifiedError, message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public MqttConnectException(string message, Exception innerException) : base(message, innerException) => ReasonCode = ReasonCode.UnspecifiedError;

    /// <summary>The CONNACK reason code (3.1.1 return codes mapped to 5.0 ones).</summary>
    public ReasonCode ReasonCode { get; }
}
