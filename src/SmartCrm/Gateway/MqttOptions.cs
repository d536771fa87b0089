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

    public Uri? UpstreamUri => Upstream is { Length: > 0 } text ? new Uri(text) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TlsPort is not null && string.IsNullOrWhiteSpace(Certificate))
            yield return new ValidationResult("Mqtt:TlsPort needs Mqtt:Certificate (--mqtt-certificate).", [nameof(Certificate)]);
        if (!string.IsNullOrWhiteSpace(Certificate) && !File.Exists(Certificate))
            yield return new ValidationResult($"Mqtt:Certificate: file not found: {Path.GetFullPath(Certificate)}", [nameof(Certificate)]);
    }
}
