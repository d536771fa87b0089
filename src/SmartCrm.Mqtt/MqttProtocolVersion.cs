namespace SmartCrm.Mqtt;

/// <summary>The protocol levels this library speaks; the value is the protocol level byte of CONNECT.</summary>
public enum MqttProtocolVersion : byte
{
    /// <summary>MQTT 3.1.1 (protocol level 4).</summary>
    V311 = 4,

    /// <summary>MQTT 5.0 (protocol level 5).</summary>
    V500 = 5,
}

/// <summary>Delivery guarantee of an application message.</summary>
public enum QualityOfService : byte
{
    /// <summary>QoS 0: fire and forget.</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: acknowledged by PUBACK, may be duplicated.</summary>
    AtLeastOnce = 1,

    /// <summary>QoS 2: four-step handshake, delivered once.</summary>
    ExactlyOnce = 2,
}
