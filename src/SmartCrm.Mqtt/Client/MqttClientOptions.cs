using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SmartCrm.Mqtt.Client;

/// <summary>How <see cref="MqttClient"/> connects.</summary>
public sealed class MqttClientOptions
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Broker port.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Protocol version to speak.</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V500;

    /// <summary>Client identifier; empty lets the broker assign one (clean start only).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>User name, or null.</summary>
    public string? UserName { get; set; }

    /// <summary>Password, or null.</summary>
    public string? Password { get; set; }

    /// <summary>Clean session (3.1.1) / clean start (5.0). Only the first connection uses it; reconnections resume the session.</summary>
    public bool CleanStart { get; set; } = true;

    /// <summary>5.0 session expiry in seconds (0 = the session ends with the connection).</summary>
    public uint SessionExpiryInterval { get; set; }

    /// <summary>Keep-alive in seconds (0 = off). A PINGREQ goes out when nothing else has been sent for this long.</summary>
    public ushort KeepAlive { get; set; } = 60;

    /// <summary>Will message, or null.</summary>
    public MqttMessage? Will { get; set; }

    /// <summary>Connect with TLS.</summary>
    public bool UseTls { get; set; }

    /// <summary>Server name checked against the certificate (defaults to <see cref="Host"/>).</summary>
    public string? TlsTargetHost { get; set; }

    /// <summary>Server certificate check; null uses the operating system's validation.</summary>
    public RemoteCertificateValidationCallback? ValidateServerCertificate { get; set; }

    /// <summary>Client certificates to present over TLS.</summary>
    public X509CertificateCollection? ClientCertificates { get; set; }

    /// <summary>Reconnect automatically after the connection is lost (not after <see cref="MqttClient.DisconnectAsync"/>).</summary>
    public bool AutoReconnect { get; set; } = true;

    /// <summary>First reconnection delay; doubles on each failed attempt.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest reconnection delay.</summary>
    public TimeSpan MaximumReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for the TCP/TLS connection and CONNACK.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>5.0: topic aliases the broker may use towards us (0 = none).</summary>
    public ushort TopicAliasMaximum { get; set; }

    /// <summary>5.0: replace repeated topics by aliases, up to what the broker accepts.</summary>
    public bool UseTopicAliases { get; set; }

    /// <summary>5.0: largest packet we accept (null = no limit stated).</summary>
    public uint? MaximumPacketSize { get; set; }

    /// <summary>5.0 user properties of CONNECT, or null.</summary>
    public IReadOnlyList<Packets.UserProperty>? UserProperties { get; set; }
}
