using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Devices;

public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>Port of the embedded broker; 0 turns it off.</summary>
    [Range(0, 65535)] public int Port { get; set; } = 1883;

    /// <summary>Address the embedded broker listens on (loopback by default, like the console; 0.0.0.0 for devices on the network).</summary>
    [Required] public string Address { get; set; } = "127.0.0.1";

    /// <summary>An external broker (mqtt://host:port) to take device traffic from instead of the embedded one.</summary>
    public string? Upstream { get; set; }

    /// <summary>Shared-subscription group of the nodes on the upstream broker: each message reaches one node of the group.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_-]+$")] public string UpstreamGroup { get; set; } = "smartcrm";

    /// <summary>Client identifier on the upstream broker; a stable one lets a restarted node pick up its queued messages.</summary>
    public string? UpstreamClientId { get; set; }

    /// <summary>Largest MQTT packet accepted from a device.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxPacketBytes { get; set; } = DevicesApi.MaxMessageBytes + 1024;

    public Uri? UpstreamUri => Upstream is { Length: > 0 } text ? new Uri(text) : null;
}
