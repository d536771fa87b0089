using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Devices;
using SmartCrm.Gateway;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Gateway;

/// <summary>
/// A device's MQTT session is the device's: neither the provisioning user nor another device can take it over, read
/// what is sent to it, answer for it or knock it off, whatever client identifier they choose.
/// </summary>
public sealed class DeviceSessionTests(BrokerApps apps) : IClassFixture<BrokerApps>
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    private static int Port(CrmApp app)
    {
        app.CreateClient().Dispose();
        return app.Services.GetRequiredService<DeviceGateway>().Port ?? throw new InvalidOperationException("The broker is off.");
    }

    private static MqttClient Client(CrmApp app, string userName, string clientId, MqttProtocolVersion version, ConcurrentQueue<(string Topic, string Body)>? inbox = null, Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions { Port = Port(app), UserName = userName, ClientId = clientId, ProtocolVersion = version, AutoReconnect = false };
        configure?.Invoke(options);
        var client = new MqttClient(options);
        if (inbox is not null)
        {
            client.MessageReceived = (m, _) =>
            {
                inbox.Enqueue((m.Message.Topic, Encoding.UTF8.GetString(m.Message.Payload.Span)));
                return ValueTask.CompletedTask;
            };
        }
        return client;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Neither_the_provision_user_nor_another_device_can_knock_a_device_off_with_its_client_id(MqttProtocolVersion version)
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (victimId, victimToken) = await api.CreateDeviceAsync();
        var (_, otherToken) = await api.CreateDeviceAsync();
        var clientId = "victim-" + Guid.NewGuid().ToString("N")[..8];
        var lost = new TaskCompletionSource<Exception?>();
        await using var victim = Client(app, victimToken, clientId, version);
        victim.Disconnected = e => lost.TrySetResult(e);
        victim.MessageReceived = async (m, ct) =>
            await victim.PublishAsync("v1/devices/me/rpc/response/" + m.Message.Topic.Split('/')[^1], Encoding.UTF8.GetBytes("{\"from\":\"victim\"}"), QualityOfService.AtLeastOnce, cancellationToken: ct);
        await victim.ConnectAsync();
        await victim.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var persistent = attempt % 2 == 1;
            await using var provisioner = Client(app, "provision", clientId, version, configure: o => o.CleanStart = !persistent);
            await provisioner.ConnectAsync();
            await using var other = Client(app, otherToken, clientId, version, configure: o => o.CleanStart = !persistent);
            await other.ConnectAsync();
            (await other.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
        }

        await Task.Delay(300);
        lost.Task.IsCompleted.ShouldBeFalse("the device was disconnected");
        victim.IsConnected.ShouldBeTrue();
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{victimId}")).GetProperty("online").GetBoolean().ShouldBeTrue();
        var reply = await api.PostAsJsonAsync($"/api/v1/devices/{victimId}/rpc", new { method = "ping" });
        reply.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await reply.Content.ReadAsStringAsync());
        (await reply.ReadAsync<JsonElement>()).GetProperty("from").GetString().ShouldBe("victim");
    }

    [Fact]
    public async Task Another_device_with_the_same_client_id_neither_sees_nor_answers_the_devices_rpc_and_attributes()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (victimId, victimToken) = await api.CreateDeviceAsync();
        var (_, spyToken) = await api.CreateDeviceAsync();
        var clientId = "shared-" + Guid.NewGuid().ToString("N")[..8];
        await using var victim = Client(app, victimToken, clientId, MqttProtocolVersion.V500);
        await victim.ConnectAsync();
        await victim.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);

        var spied = new ConcurrentQueue<(string Topic, string Body)>();
        await using var spy = Client(app, spyToken, clientId, MqttProtocolVersion.V500, spied);
        spy.MessageReceived = async (m, ct) =>
        {
            spied.Enqueue((m.Message.Topic, Encoding.UTF8.GetString(m.Message.Payload.Span)));
            if (m.Message.Topic.StartsWith("v1/devices/me/rpc/request/", StringComparison.Ordinal))
                await spy.PublishAsync("v1/devices/me/rpc/response/" + m.Message.Topic.Split('/')[^1], Encoding.UTF8.GetBytes("{\"from\":\"spy\"}"), QualityOfService.AtLeastOnce, cancellationToken: ct);
        };
        await spy.ConnectAsync();
        await spy.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);
        await spy.SubscribeAsync("v1/devices/me/attributes", QualityOfService.AtLeastOnce);

        var call = api.PostAsJsonAsync($"/api/v1/devices/{victimId}/rpc", new { method = "unlock", timeout = 1500 });
        // Blind answers to every request number this node could have used so far.
        for (var n = 1; n <= 300; n++) await spy.PublishAsync($"v1/devices/me/rpc/response/{n}", Encoding.UTF8.GetBytes("{\"from\":\"spy\"}"));
        (await call).StatusCode.ShouldBe(System.Net.HttpStatusCode.GatewayTimeout, "the victim does not answer and nobody may answer for it");
        (await api.PostAsync($"/api/v1/devices/{victimId}/attributes/shared", new StringContent("{\"doorCode\":1234}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        await Task.Delay(300);
        spied.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_device_reconnecting_with_its_own_client_id_takes_its_session_over_and_stays_online()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var clientId = "flaky-" + Guid.NewGuid().ToString("N")[..8];
        var lost = new TaskCompletionSource<Exception?>();
        await using var first = Client(app, token, clientId, MqttProtocolVersion.V500);
        first.Disconnected = e => lost.TrySetResult(e);
        await first.ConnectAsync();
        await using var second = Client(app, token, clientId, MqttProtocolVersion.V500);
        second.MessageReceived = async (m, ct) =>
            await second.PublishAsync("v1/devices/me/rpc/response/" + m.Message.Topic.Split('/')[^1], Encoding.UTF8.GetBytes("{\"from\":\"second\"}"), QualityOfService.AtLeastOnce, cancellationToken: ct);
        await second.ConnectAsync();
        await second.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);
        (await lost.Task.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeOfType<MqttConnectException>().ReasonCode.ShouldBe(ReasonCode.SessionTakenOver);

        await Task.Delay(500);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}")).GetProperty("online").GetBoolean().ShouldBeTrue();
        var reply = await api.PostAsJsonAsync($"/api/v1/devices/{id}/rpc", new { method = "ping" });
        reply.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_devices_will_lands_in_its_own_data_and_never_reaches_other_devices()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (_, listenerToken) = await api.CreateDeviceAsync();
        var (senderId, senderToken) = await api.CreateDeviceAsync();
        var heard = new ConcurrentQueue<(string Topic, string Body)>();
        await using var listener = Client(app, listenerToken, "listener-" + Guid.NewGuid().ToString("N")[..8], MqttProtocolVersion.V500, heard);
        await listener.ConnectAsync();
        await listener.SubscribeAsync("v1/devices/me/attributes", QualityOfService.AtLeastOnce);
        await listener.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);

        // A will may only say what the device itself could say about itself: its telemetry or attributes.
        (await LeaveWillAsync(app, senderToken, "v1/devices/me/rpc/request/1")).ShouldBe(ReasonCode.NotAuthorized);
        (await LeaveWillAsync(app, senderToken, "v1/devices/me/attributes")).ShouldBe(ReasonCode.Success);

        var attributes = await Eventually.HoldsAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{senderId}/attributes"),
            a => a.TryGetProperty("client", out var c) && c.TryGetProperty("lastWords", out _), "the will stored as the sender's own attribute");
        attributes.GetProperty("client").GetProperty("lastWords").GetString().ShouldBe("bye");
        heard.ShouldBeEmpty();
        await using var late = Client(app, listenerToken, "late-" + Guid.NewGuid().ToString("N")[..8], MqttProtocolVersion.V500, heard);
        await late.ConnectAsync();
        await late.SubscribeAsync("v1/devices/me/attributes", QualityOfService.AtLeastOnce);
        await Task.Delay(300);
        heard.ShouldBeEmpty("no retained will either");
    }

    [Fact]
    public async Task A_device_reaches_no_other_device_through_wildcards_shared_or_system_filters_or_retained_messages()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (_, token) = await api.CreateDeviceAsync();
        var (_, otherToken) = await api.CreateDeviceAsync();
        await using var device = Client(app, token, "nosy-" + Guid.NewGuid().ToString("N")[..8], MqttProtocolVersion.V500);
        await device.ConnectAsync();
        foreach (var filter in new[] { "#", "+/+/+/telemetry", "v1/devices/+/rpc/request/+", "v1/devices/me/#", "v1/devices/me/rpc/request/#", "$share/g/v1/devices/me/rpc/request/+", "$SYS/#" })
            (await device.SubscribeAsync(filter, QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized, filter);
        (await device.PublishAsync(new MqttMessage("v1/devices/me/attributes", Encoding.UTF8.GetBytes("{\"planted\":1}"), QualityOfService.AtLeastOnce, retain: true))).ShouldBe(ReasonCode.Success);

        var heard = new ConcurrentQueue<(string Topic, string Body)>();
        await using var other = Client(app, otherToken, "other-" + Guid.NewGuid().ToString("N")[..8], MqttProtocolVersion.V500, heard);
        await other.ConnectAsync();
        await other.SubscribeAsync("v1/devices/me/attributes", QualityOfService.AtLeastOnce);
        await Task.Delay(300);
        heard.ShouldBeEmpty("a device's retained attributes are its own data, not a message for others");
    }

    /// <summary>Connects with a retained will and drops the socket without DISCONNECT; returns the CONNACK reason code.</summary>
    private static async Task<ReasonCode> LeaveWillAsync(CrmApp app, string token, string willTopic)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, Port(app));
        var stream = tcp.GetStream();
        var will = new MqttMessage(willTopic, Encoding.UTF8.GetBytes("{\"lastWords\":\"bye\",\"method\":\"unlock\"}"), QualityOfService.AtLeastOnce, retain: true);
        await stream.WriteAsync(PacketEncoder.ToArray(new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "sender-" + Guid.NewGuid().ToString("N")[..8], UserName = token, KeepAlive = 30, Will = will }, MqttProtocolVersion.V500));
        var head = new byte[2];
        await stream.ReadExactlyAsync(head);
        var body = new byte[head[1]];
        await stream.ReadExactlyAsync(body);
        var ack = (ConnAckPacket)new PacketDecoder(MqttProtocolVersion.V500).Decode([.. head, .. body]);
        tcp.Client.Close();
        return ack.ReasonCode;
    }

    [Fact]
    public async Task A_provisioning_connection_keeps_no_session_and_reaches_nothing_but_the_provision_topics()
    {
        var app = apps.For(Provider.Sqlite);
        var clientId = "prov-" + Guid.NewGuid().ToString("N")[..8];
        void Persistent(MqttClientOptions o)
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = 3600;
        }
        await using (var first = Client(app, "provision", clientId, MqttProtocolVersion.V500, configure: Persistent))
        {
            (await first.ConnectAsync()).Properties!.SessionExpiryInterval.ShouldBe(0u);
            foreach (var filter in new[] { "#", "v1/devices/me/rpc/request/+", "v1/devices/me/attributes", "$share/g/provision/response", "/provision/#", "$SYS/#" })
                (await first.SubscribeAsync(filter, QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized, filter);
            (await first.SubscribeAsync("/provision/response", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
            (await first.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"t\":1}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        }
        await using var second = Client(app, "provision", clientId, MqttProtocolVersion.V500, configure: Persistent);
        (await second.ConnectAsync()).SessionPresent.ShouldBeFalse();
        await using var will = Client(app, "provision", clientId + "-w", MqttProtocolVersion.V500, configure: o => o.Will = new MqttMessage("/provision/request", Encoding.UTF8.GetBytes("{}")));
        (await Should.ThrowAsync<MqttConnectException>(() => will.ConnectAsync())).ReasonCode.ShouldBe(ReasonCode.NotAuthorized);
    }
}
