using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Devices;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Gateway;

/// <summary>A device RPC that could not be delivered or answered.</summary>
public sealed class DeviceRpcException(string message, bool timedOut) : Exception(message)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>
/// The embedded MQTT broker speaking ThingsBoard's device API: the access token is the user name; a device publishes
/// telemetry and attributes to <c>v1/devices/me/...</c> (acknowledged once stored), asks for attributes, answers and makes RPC
/// calls; shared attributes and server RPC reach it through its own subscriptions. The user name <c>provision</c> may only
/// provision. Connections drive the device's online status. A device's sessions are its own whatever client identifier
/// it uses, and every provisioning connection has one of its own that ends with it: nobody can take over, read or end
/// another's session by using its client identifier.
/// </summary>
public sealed class DeviceGateway(
    IOptions<MqttOptions> options, DeviceDirectory directory, DeviceMessages messages, DeviceProvisioning provisioning, SharedAttributesChanged sharedChanged,
    DeviceAccessEnded accessEnded, IServiceScopeFactory scopes, TimeProvider clock, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private const string Me = "v1/devices/me/";
    private static readonly object ProvisionClient = new();

    private readonly ILogger _logger = loggers.CreateLogger<DeviceGateway>();
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<ConnectedClient, byte>> _clients = new();
    // Keyed by device: an answer counts only from the device that was asked, whatever client identifier it shares with others.
    private readonly ConcurrentDictionary<(long Device, int Request), TaskCompletionSource<JsonElement>> _calls = new();
    private MqttBroker? _broker;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;
    private int _nextRequest;

    /// <summary>The port the broker listens on (useful when configured as an ephemeral port), or null when it is off.</summary>
    public int? Port => _broker?.Port;

    /// <summary>The port of the TLS listener, or null when there is none (the broker binds it after the plain one).</summary>
    public int? TlsPort => _broker is not null && options.Value.TlsPort is not null ? _broker.Endpoints[^1].Port : null;

    public bool IsConnected(long deviceId) => _clients.TryGetValue(deviceId, out var set) && !set.IsEmpty;

    /// <summary>
    /// Ends the device's connections to this node's broker (its token was rotated, or it was deleted): a connection
    /// authenticated with the old token must not outlive it. Reconnecting with the old token is refused.
    /// </summary>
    public void Disconnect(long deviceId)
    {
        if (_broker is null || !_clients.TryGetValue(deviceId, out var set)) return;
        foreach (var client in set.Keys) _broker.DisconnectClient(client, ReasonCode.NotAuthorized);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if ((settings.Port == 0 && settings.TlsPort is null) || settings.UpstreamUri is not null) return;
        _certificate = settings.Certificate is { Length: > 0 } path ? BrokerCommand.LoadCertificate(path, settings.CertificatePassword) : null;
        _broker = new MqttBroker(new MqttBrokerOptions
        {
            Address = IPAddress.Parse(settings.Address),
            Port = settings.Port == 0 ? null : settings.Port,
            TlsPort = settings.TlsPort,
            Certificate = _certificate,
            MaximumPacketSize = settings.MaxPacketBytes,
            MaximumKeepAlive = (ushort?)settings.MaxKeepAlive,
            ReceiveMaximum = (ushort)settings.ReceiveMaximum,
            TopicAliasMaximum = (ushort)settings.TopicAliasMaximum,
            ForbiddenTopicFilters = settings.ForbiddenSubscriptions,
            Authenticate = AuthenticateAsync,
            Authorize = (client, topic, access) => ValueTask.FromResult(Allowed(client, topic, access)),
            MessageReceived = ReceiveAsync,
            ClientConnected = client => Track(client, connected: true),
            ClientDisconnected = (client, _) => Track(client, connected: false),
        }, loggers.CreateLogger<MqttBroker>());
        try
        {
            await _broker.StartAsync(cancellationToken);
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            // Another broker (a local mosquitto, say) has the port: the CRM still runs, devices can still use HTTP.
            _logger.LogError("MQTT port {Port} is in use by another program: the device broker is off. Choose another with --mqtt-port.", settings.Port);
            await _broker.DisposeAsync();
            _broker = null;
            return;
        }
        sharedChanged.Listen(PushSharedAttributesAsync);
        accessEnded.Listen(Disconnect);
        _logger.LogInformation("Device MQTT broker listening on {Endpoints}", string.Join(", ", _broker.Endpoints));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_broker is not null) await _broker.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
        _certificate?.Dispose();
    }

    private async ValueTask<ConnectionDecision> AuthenticateAsync(ConnectionRequest request, CancellationToken cancellationToken)
    {
        // A provisioning request owns a session of its own, which ends with its connection: it can reach nobody's, nobody can reach it.
        if (request.UserName == "provision") return ConnectionDecision.Accept(ProvisionClient) with { SessionOwner = "provision:" + Guid.NewGuid().ToString("N"), MaximumSessionExpiry = 0 };
        if (request.UserName is { Length: > 0 } token && await directory.FindByTokenAsync(token, cancellationToken) is { } device)
            return ConnectionDecision.Accept(device) with { SessionOwner = "device:" + device.Id.ToString(CultureInfo.InvariantCulture) };
        _logger.LogWarning("MQTT connection from {Address} refused: unknown device token (client {Client})", request.RemoteEndPoint, request.ClientId);
        return ConnectionDecision.Refuse(ReasonCode.BadUserNameOrPassword);
    }

    /// <summary>
    /// ThingsBoard's device topics, and nothing else: a device cannot read or write another device's data. A will may
    /// only carry what the device could send about itself (telemetry, attributes); a provisioning request leaves none.
    /// </summary>
    public static bool Allowed(ConnectedClient client, string topic, TopicAccess access)
    {
        if (client.Identity == ProvisionClient)
        {
            return access switch
            {
                TopicAccess.Publish => topic is "/provision/request" or "/provision",
                TopicAccess.Subscribe => topic == "/provision/response",
                _ => false,
            };
        }
        if (client.Identity is not DeviceIdentity) return false;
        return access switch
        {
            TopicAccess.Publish => topic is Me + "telemetry" or Me + "attributes"
                || IsNumbered(topic, Me + "attributes/request/") || IsNumbered(topic, Me + "rpc/response/") || IsNumbered(topic, Me + "rpc/request/"),
            TopicAccess.Subscribe => topic is Me + "attributes" or Me + "attributes/response/+" or Me + "rpc/request/+" or Me + "rpc/response/+",
            TopicAccess.Will => topic is Me + "telemetry" or Me + "attributes",
            _ => false,
        };
    }

    private static bool IsNumbered(string topic, string prefix) =>
        topic.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(topic.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private async ValueTask<MessageDisposition> ReceiveAsync(InboundMessage inbound, CancellationToken cancellationToken)
    {
        var topic = inbound.Message.Topic;
        var payload = inbound.Message.Payload;
        if (inbound.Client.Identity == ProvisionClient)
        {
            if (inbound.IsWill) return MessageDisposition.Consume;
            var answer = await provisioning.ProvisionAsync(payload, (inbound.Client.RemoteEndPoint as IPEndPoint)?.Address, cancellationToken);
            _broker!.PublishToClient(inbound.Client, new MqttMessage("/provision/response", JsonSerializer.SerializeToUtf8Bytes(answer, ProvisionAnswer.Json), QualityOfService.AtLeastOnce));
            return MessageDisposition.Consume;
        }
        var device = (DeviceIdentity)inbound.Client.Identity!;
        try
        {
            switch (topic)
            {
                case Me + "telemetry":
                    await messages.TelemetryAsync(device, payload, cancellationToken);
                    break;
                case Me + "attributes":
                    await messages.ClientAttributesAsync(device, payload, cancellationToken);
                    break;
                default:
                    // A will speaks after the connection has gone: nobody is left to answer or to be answered.
                    if (inbound.IsWill) break;
                    if (topic.StartsWith(Me + "attributes/request/", StringComparison.Ordinal)) await AnswerAttributesAsync(inbound.Client, device, topic, payload, cancellationToken);
                    else if (topic.StartsWith(Me + "rpc/response/", StringComparison.Ordinal)) RpcAnswered(device, topic, payload);
                    else if (topic.StartsWith(Me + "rpc/request/", StringComparison.Ordinal)) AnswerDeviceRpc(inbound.Client, topic, payload);
                    break;
            }
        }
        catch (DevicePayloadException e)
        {
            _logger.LogWarning("Device {Device} (#{Id}) sent an unreadable message on {Topic}: {Problem}", device.Name, device.Id, topic, e.Message);
            throw new MessageRefusedException(ReasonCode.PayloadFormatInvalid, $"device {device.Name}: {e.Message}");
        }
        return MessageDisposition.Consume;
    }

    private async Task AnswerAttributesAsync(ConnectedClient client, DeviceIdentity device, string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var request = topic[(Me + "attributes/request/").Length..];
        string? clientKeys = null, sharedKeys = null;
        if (!payload.IsEmpty)
        {
            var body = DevicePayload.ParseAttributes(payload);
            clientKeys = body.TryGetProperty("clientKeys", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            sharedKeys = body.TryGetProperty("sharedKeys", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var answer = await DeviceAttributes.RequestedAsync(db, device.Id, clientKeys, sharedKeys, cancellationToken);
        _broker!.PublishToClient(client, new MqttMessage(Me + "attributes/response/" + request, JsonSerializer.SerializeToUtf8Bytes(answer), QualityOfService.AtLeastOnce));
    }

    /// <summary>Client-side RPC: the device asks the server. Only getCurrentTime is answered; anything else gets an error.</summary>
    private void AnswerDeviceRpc(ConnectedClient client, string topic, ReadOnlyMemory<byte> payload)
    {
        var request = topic[(Me + "rpc/request/").Length..];
        string? method = null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("method", out var m)) method = m.GetString();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a name or method that is not valid text (a lone surrogate).
            throw new DevicePayloadException("$", "RPC request is not readable JSON: " + e.Message);
        }
        object answer = method == "getCurrentTime"
            ? new { time = clock.GetUtcNow().ToUnixTimeMilliseconds() }
            : new { error = $"Unknown method '{method}'" };
        _broker!.PublishToClient(client, new MqttMessage(Me + "rpc/response/" + request, JsonSerializer.SerializeToUtf8Bytes(answer), QualityOfService.AtLeastOnce));
    }

    private void RpcAnswered(DeviceIdentity device, string topic, ReadOnlyMemory<byte> payload)
    {
        if (!int.TryParse(topic.AsSpan((Me + "rpc/response/").Length), NumberStyles.None, CultureInfo.InvariantCulture, out var request)) return;
        if (!_calls.TryRemove((device.Id, request), out var call)) return;
        try
        {
            using var document = JsonDocument.Parse(payload);
            call.TrySetResult(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            // Firmware may answer with plain text; pass it on as a string.
            call.TrySetResult(JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload.Span)));
        }
    }

    /// <summary>
    /// Server-side RPC: sends <c>{"method","params"}</c> to the device on <c>v1/devices/me/rpc/request/{n}</c> and waits for its
    /// answer on <c>.../rpc/response/{n}</c> (two-way), or returns at once (one-way, null).
    /// </summary>
    public async Task<JsonElement?> CallAsync(long deviceId, string method, JsonElement? parameters, TimeSpan timeout, bool oneWay, CancellationToken cancellationToken)
    {
        if (_broker is null || !_clients.TryGetValue(deviceId, out var set) || set.IsEmpty)
        {
            throw new DeviceRpcException("The device is not connected to this node's broker.", timedOut: false);
        }
        var client = set.Keys.First();
        var request = Interlocked.Increment(ref _nextRequest);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { method, @params = parameters });
        var call = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!oneWay) _calls[(deviceId, request)] = call;
        if (!_broker.PublishToClient(client, new MqttMessage(Me + "rpc/request/" + request.ToString(CultureInfo.InvariantCulture), body, QualityOfService.AtLeastOnce)))
        {
            _calls.TryRemove((deviceId, request), out _);
            throw new DeviceRpcException("The device does not listen for RPC (no subscription to v1/devices/me/rpc/request/+).", timedOut: false);
        }
        if (oneWay) return null;
        try
        {
            return await call.Task.WaitAsync(timeout, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new DeviceRpcException($"The device did not answer within {timeout.TotalSeconds:0.#} s.", timedOut: true);
        }
        finally
        {
            _calls.TryRemove((deviceId, request), out _);
        }
    }

    private async Task PushSharedAttributesAsync(long deviceId, JsonElement patch, CancellationToken cancellationToken)
    {
        if (_broker is null || !_clients.TryGetValue(deviceId, out var set)) return;
        var body = JsonSerializer.SerializeToUtf8Bytes(patch);
        // Connections of one session (a reconnection overlapping the old one's end) share one delivery.
        foreach (var client in set.Keys.DistinctBy(c => c.ClientId)) _broker.PublishToClient(client, new MqttMessage(Me + "attributes", body, QualityOfService.AtLeastOnce));
        await Task.CompletedTask;
    }

    private void Track(ConnectedClient client, bool connected)
    {
        if (client.Identity is not DeviceIdentity device) return;
        // Per connection, not per client identifier: when a device reconnects and takes its session over, the old
        // connection's end must not count as the device going offline.
        var set = _clients.GetOrAdd(device.Id, _ => new ConcurrentDictionary<ConnectedClient, byte>());
        if (connected) set[client] = 0;
        else set.TryRemove(client, out _);
        var online = !set.IsEmpty;
        _ = MarkAsync(device, online, connected);
    }

    private async Task MarkAsync(DeviceIdentity device, bool online, bool connected)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
            var now = clock.GetUtcNow().UtcDateTime;
            if (connected) await DeviceStatus.ConnectedAsync(db, device.Id, now, CancellationToken.None);
            else await DeviceStatus.DisconnectedAsync(db, device.Id, online, CancellationToken.None);
            _logger.LogInformation("Device {Device} (#{Id}) {Change} over MQTT", device.Name, device.Id, connected ? "connected" : "disconnected");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Could not record the connection state of device {Device}", device.Name);
        }
    }
}
