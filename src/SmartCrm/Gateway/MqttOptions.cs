using System.ComponentModel.DataAnnotations;
using SmartCrm.Devices;

namespace SmartCrm.Gateway;

public sealed class MqttOptions : IValidatableObject
{
    public const string Section = "Mqtt";

    /// <summary>Port of the embedded broker; 0 turns it off.</summary>
    [Range(0, 65535)] public int Port { get; set; } = 1883;

    /// <summary>Address the embedded broker listens on (loopback by default, like the console; 0.0.0.0 for devices on the network).</summary>
    [Required] public string Address { get; set; } = "127.0.0.1";

    /// <summary>A TLS (MQTTS) listener of the embedded broker on this port, beside the plain one (0 picks a free port); needs <see cref="Certificate"/>.</summary>
    [Range(0, 65535)] public int? TlsPort { get; set; }

    /// <summary>The server certificate for <see cref="TlsPort"/>: a .pfx/.p12 file, or a .pem/.crt file holding the certificate and its key.</summary>
    public string? Certificate { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>An external broker (mqtt://host:port) to take device traffic from instead of the embedded one.</summary>
    public string? Upstream { get; set; }

    /// <summary>Shared-subscription group of the nodes on the upstream broker: each message reaches one node of the group.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_-]+$")] public string UpstreamGroup { get; set; } = "smartcrm";

    /// <summary>Client identifier on the upstream broker; a stable one lets a restarted node pick up its queued messages.</summary>
    public string? UpstreamClientId { get; set; }

    /// <summary>Largest MQTT packet accepted from a device.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxPacketBytes { get; set; } = DevicesApi.MaxMessageBytes + 1024;

    /// <summary>Longest keep-alive in seconds a device may ask for (5.0 devices are told it as Server Keep Alive; 3.1.1 devices asking for more, or for none, are refused); null for no limit.</summary>
    [Range(1, 65535)] public int? MaxKeepAlive { get; set; }

    /// <summary>QoS 1 and 2 messages a device may have unacknowledged towards the broker (5.0 Receive Maximum).</summary>
    [Range(1, 65535)] public int ReceiveMaximum { get; set; } = 1024;

    /// <summary>Highest topic alias a 5.0 device may use (0: none).</summary>
    [Range(0, 65535)] public int TopicAliasMaximum { get; set; } = 64;

    /// <summary>Topic filters no client may subscribe to, nor any filter that would reach their topics (refused in SUBACK).</summary>
    public string[] ForbiddenSubscriptions { get; set; } = [];

    public Uri? UpstreamUri => Upstream is { Length: > 0 } text ? new Uri(text) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < ForbiddenSubscriptions.Length; i++)
        {
            if (SmartCrm.Mqtt.Topics.ValidateFilter(ForbiddenSubscriptions[i]) is { } why)
                yield return new ValidationResult($"Mqtt:ForbiddenSubscriptions:{i}: '{ForbiddenSubscriptions[i]}' is not a topic filter: {why}.", [nameof(ForbiddenSubscriptions)]);
        }
        if (TlsPort is not null && string.IsNullOrWhiteSpace(Certificate))
            yield return new ValidationResult("Mqtt:TlsPort needs Mqtt:Certificate (--mqtt-certificate).", [nameof(Certificate)]);
        if (!string.IsNullOrWhiteSpace(Certificate) && !File.Exists(Certificate))
            yield return new ValidationResult($"Mqtt:Certificate: file not found: {Path.GetFullPath(Certificate)}", [nameof(Certificate)]);
    }
}
