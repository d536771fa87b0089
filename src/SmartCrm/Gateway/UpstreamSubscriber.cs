using Microsoft.Extensions.Options;
using SmartCrm.Devices;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Telemetry;

namespace SmartCrm.Gateway;

/// <summary>
/// Scale-out ingestion: instead of running its own broker, a node takes device traffic from an external broker cluster
/// through a shared subscription (<c>$share/{group}/v1/devices/+/telemetry</c>), so each message is handled by exactly one
/// node of the group. On a shared broker the topic names the device by its access token in place of <c>me</c>
/// (<c>v1/devices/{token}/telemetry</c>; EMQX and HiveMQ can rewrite ThingsBoard's topics to this form).
/// A message is acknowledged to the broker only after it is stored.
/// </summary>
public sealed class UpstreamSubscriber(IOptions<MqttOptions> options, DeviceDirectory directory, DeviceMessages messages, ILogger<UpstreamSubscriber> logger)
    : IHostedService, IAsyncDisposable
{
    private MqttClient? _client;
    private long _handled;

    /// <summary>Messages this node stored from the upstream broker.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.UpstreamUri is not { } upstream) return;
        if (upstream.Scheme is not ("mqtt" or "mqtts")) throw new OptionsValidationException(MqttOptions.Section, typeof(MqttOptions), [$"Mqtt:Upstream must be mqtt://host:port or mqtts://host:port, not {upstream}"]);
        _client = new MqttClient(new MqttClientOptions
        {
            Host = upstream.Host,
            Port = upstream.IsDefaultPort || upstream.Port < 0 ? (upstream.Scheme == "mqtts" ? 8883 : 1883) : upstream.Port,
            UseTls = upstream.Scheme == "mqtts",
            ClientId = settings.UpstreamClientId ?? $"smartcrm-{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}",
            UserName = Uri.UnescapeDataString(upstream.UserInfo.Split(':')[0]) is { Length: > 0 } user ? user : null,
            Password = upstream.UserInfo.Split(':') is [_, var password] ? Uri.UnescapeDataString(password) : null,
            // A stable client id with a persistent session keeps this node's share of messages while it restarts.
            CleanStart = settings.UpstreamClientId is null,
            SessionExpiryInterval = settings.UpstreamClientId is null ? 0u : 86_400u,
            AutoReconnect = true,
        })
        {
            MessageReceived = ReceiveAsync,
            Disconnected = error =>
            {
                if (error is MqttConnectException { ReasonCode: ReasonCode.SessionTakenOver })
                    logger.LogError("Another client took over this node's session on {Broker}: Mqtt:UpstreamClientId must differ between nodes; reconnecting after the longest delay", upstream);
            },
        };
        await _client.ConnectAsync(cancellationToken);
        foreach (var kind in new[] { "telemetry", "attributes" })
        {
            await _client.SubscribeAsync($"$share/{settings.UpstreamGroup}/v1/devices/+/{kind}", QualityOfService.AtLeastOnce, cancellationToken);
        }
        logger.LogInformation("Taking device traffic from {Broker} in shared group {Group}", upstream, settings.UpstreamGroup);
    }

    private async ValueTask ReceiveAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var parts = received.Message.Topic.Split('/');
        if (parts is not ["v1", "devices", var token, var kind]) return;
        if (await directory.FindByTokenAsync(token, cancellationToken) is not { } device)
        {
            logger.LogWarning("Upstream message on {Kind} for an unknown device token (prefix {Prefix})", kind, token[..Math.Min(6, token.Length)]);
            return;
        }
        try
        {
            if (kind == "telemetry") await messages.TelemetryAsync(device, received.Message.Payload, cancellationToken);
            else if (kind == "attributes") await messages.ClientAttributesAsync(device, received.Message.Payload, cancellationToken);
            else return;
            Interlocked.Increment(ref _handled);
        }
        catch (DevicePayloadException e)
        {
            // Acknowledged all the same: the broker sending it again would not make it readable.
            logger.LogWarning("Device {Device} (#{Id}) sent an unreadable message upstream: {Problem}", device.Name, device.Id, e.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_client is not null) await _client.DisposeAsync();
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
    }
}
