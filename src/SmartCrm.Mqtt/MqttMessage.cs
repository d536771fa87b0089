using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt;

/// <summary>An application message: what a PUBLISH carries from publisher to subscribers (also the will message).</summary>
public sealed class MqttMessage
{
    /// <summary>Creates a message.</summary>
    public MqttMessage(string topic, ReadOnlyMemory<byte> payload, QualityOfService qualityOfService = QualityOfService.AtMostOnce, bool retain = false, MqttProperties? properties = null)
    {
        Topic = topic;
        Payload = payload;
        QualityOfService = qualityOfService;
        Retain = retain;
        Properties = properties;
    }

    /// <summary>Topic name.</summary>
    public string Topic { get; }

    /// <summary>Payload bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>QoS the publisher asked for.</summary>
    public QualityOfService QualityOfService { get; }

    /// <summary>Retain flag.</summary>
    public bool Retain { get; }

    /// <summary>MQTT 5.0 application properties (payload format, message expiry, content type, response topic, correlation data, user properties; will delay for a will); null when none.</summary>
    public MqttProperties? Properties { get; }

    /// <summary><see cref="Environment.TickCount64"/> when the message expires (0 = never); set by the broker on receipt.</summary>
    internal long ExpiresAt { get; set; }

    /// <summary>
    /// The publisher's session, for the no-local subscription option (compared by reference: the client identifier
    /// alone would also spare other owners' sessions of the same identifier); null for server-side messages.
    /// </summary>
    internal object? Publisher { get; set; }

    /// <summary>Returns a copy with another retain flag (retained copies are kept with the flag set).</summary>
    internal MqttMessage WithRetain(bool retain) => retain == Retain ? this : new(Topic, Payload, QualityOfService, retain, Properties) { ExpiresAt = ExpiresAt, Publisher = Publisher };

    /// <inheritdoc />
    public override string ToString() => $"{Topic} ({Payload.Length} bytes, QoS {(int)QualityOfService}{(Retain ? ", retained" : "")})";
}
