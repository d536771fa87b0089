using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartCrm.Devices;
using SmartCrm.Gateway;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Tests.Peers;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Gateway;

/// <summary>Apps with the embedded device broker on a port of their own.</summary>
public sealed class BrokerApps : Apps
{
    protected override void Configure(CrmApp app) => app.Settings["Mqtt:Port"] = Peers.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class DeviceGatewayTests(BrokerApps apps) : IClassFixture<BrokerApps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Telemetry_over_mqtt_is_stored_before_it_is_acknowledged_in_both_protocol_versions(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
        {
            await using var device = await ConnectAsync(app, token, version);
            var value = version == MqttProtocolVersion.V311 ? 311 : 500;
            (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes($"{{\"version\":{value}}}"), QualityOfService.AtLeastOnce))
                .ShouldBe(ReasonCode.Success);
            // Acknowledged means stored: read straight away, no waiting.
            var latest = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
            latest.GetProperty("version").GetProperty("value").GetInt32().ShouldBe(value);
        }
    }

    [Fact]
    public async Task A_port_taken_by_another_program_leaves_the_crm_running_without_its_broker()
    {
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        using var app = new CrmApp();
        app.Settings["Mqtt:Port"] = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await app.CreateClient().GetAsync("/healthz")).EnsureSuccessStatusCode();
        app.Services.GetRequiredService<DeviceGateway>().Port.ShouldBeNull();
    }

    [Fact]
    public async Task Devices_can_send_telemetry_over_tls_when_the_broker_has_a_certificate()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var file = Path.Combine(Path.GetTempPath(), $"mqtt-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(file, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "secret"));
        try
        {
            using var app = new CrmApp();
            app.Settings["Mqtt:TlsPort"] = "0";
            app.Settings["Mqtt:Certificate"] = file;
            app.Settings["Mqtt:CertificatePassword"] = "secret";
            var (id, token) = await app.Admin().CreateDeviceAsync();
            var gateway = app.Services.GetRequiredService<DeviceGateway>();
            gateway.TlsPort.ShouldNotBeNull();

            await using var device = new MqttClient(new MqttClientOptions
            {
                Port = gateway.TlsPort!.Value, ClientId = "tls-device", UserName = token, ProtocolVersion = MqttProtocolVersion.V500,
                UseTls = true, TlsTargetHost = "localhost",
                ValidateServerCertificate = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
            });
            await device.ConnectAsync();
            (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"sealed\":7}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);

            var latest = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
            latest.GetProperty("sealed").GetProperty("value").GetDouble().ShouldBe(7);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_tls_port_without_a_certificate_stops_the_start_with_a_message_naming_it()
    {
        using var app = new CrmApp();
        app.Settings["Mqtt:TlsPort"] = "0";
        var failure = Should.Throw<OptionsValidationException>(() => app.CreateClient());
        failure.Message.ShouldContain("Mqtt:TlsPort needs Mqtt:Certificate");
    }

    [Fact]
    public async Task Broker_limits_from_configuration_reach_the_devices()
    {
        using var app = new CrmApp();
        app.Settings["Mqtt:Port"] = Peers.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Mqtt:MaxKeepAlive"] = "5";
        app.Settings["Mqtt:ReceiveMaximum"] = "10";
        app.Settings["Mqtt:TopicAliasMaximum"] = "3";
        app.Settings["Mqtt:ForbiddenSubscriptions:0"] = "v1/devices/me/rpc/#";
        var (_, token) = await app.Admin().CreateDeviceAsync();
        await using var device = Client(app, token, MqttProtocolVersion.V500);
        var ack = await device.ConnectAsync();
        ack.Properties!.ServerKeepAlive.ShouldBe((ushort)5, "our client asks for 60 s");
        ack.Properties.ReceiveMaximum.ShouldBe((ushort)10);
        ack.Properties.TopicAliasMaximum.ShouldBe((ushort)3);
        (await device.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await device.SubscribeAsync("v1/devices/me/attributes", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
    }

    [Theory]
    [InlineData("Mqtt:ForbiddenSubscriptions:0", "a/#/b", "Mqtt:ForbiddenSubscriptions:0")]
    [InlineData("Mqtt:MaxKeepAlive", "0", "MaxKeepAlive")]
    [InlineData("Mqtt:ReceiveMaximum", "0", "ReceiveMaximum")]
    [InlineData("Mqtt:TopicAliasMaximum", "70000", "TopicAliasMaximum")]
    public void Broker_limits_that_cannot_work_stop_the_start_with_a_message_naming_them(string key, string value, string named)
    {
        // WebApplicationFactory races a start that fails: now and then it reports its own ObjectDisposedException
        // (DeferredHost reading a disposed provider) in place of the program's exception, so try again then.
        for (var attempt = 1; ; attempt++)
        {
            using var app = new CrmApp();
            app.Settings[key] = value;
            var failure = Should.Throw<Exception>(() => app.CreateClient());
            if (failure is ObjectDisposedException && attempt < 3) continue;
            failure.ShouldBeOfType<OptionsValidationException>().Message.ShouldContain(named);
            return;
        }
    }

    [Fact]
    public async Task A_wrong_token_is_refused_at_connect()
    {
        var app = apps.For(Provider.Sqlite);
        app.CreateClient().Dispose();
        foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
        {
            await using var client = Client(app, "not-a-token", version);
            var refused = await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync());
            refused.ReasonCode.ShouldBe(ReasonCode.BadUserNameOrPassword);
        }
    }

    [Fact]
    public async Task A_device_may_use_only_its_own_thingsboard_topics_and_bad_payloads_get_0x99()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var (otherId, otherToken) = await api.CreateDeviceAsync();
        await using var device = await ConnectAsync(app, token, MqttProtocolVersion.V500);
        await using var other = await ConnectAsync(app, otherToken, MqttProtocolVersion.V500);

        (await device.PublishAsync("v1/devices/other/telemetry", Encoding.UTF8.GetBytes("{\"t\":1}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await device.PublishAsync("anything/else", Encoding.UTF8.GetBytes("{}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await device.SubscribeAsync("#", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("temperature=20"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.PayloadFormatInvalid);
        (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("[{\"ts\":\"soon\",\"values\":{\"t\":1}}]"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.PayloadFormatInvalid);

        // The same connection and the other device carry on.
        (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"t\":2}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
        (await other.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"t\":3}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest")).EnumerateObject().Select(p => p.Name).ShouldBe(["t"]);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{otherId}/telemetry/latest")).GetProperty("t").GetProperty("value").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Connecting_and_leaving_drive_the_devices_online_status()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        async Task<bool> Online() => (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}")).GetProperty("online").GetBoolean();
        (await Online()).ShouldBeFalse();
        var device = await ConnectAsync(app, token, MqttProtocolVersion.V311);
        await Eventually.HoldsAsync(Online, online => online, "online after connect");
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}")).GetProperty("lastConnectedAt").ValueKind.ShouldBe(JsonValueKind.String);
        await device.DisposeAsync();
        await Eventually.HoldsAsync(Online, online => !online, "offline after disconnect");
    }

    [Fact]
    public async Task Shared_attributes_reach_the_device_and_it_can_ask_for_its_attributes()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var inbox = new ConcurrentQueue<(string Topic, string Body)>();
        await using var device = await ConnectAsync(app, token, MqttProtocolVersion.V500, inbox);
        await device.SubscribeAsync("v1/devices/me/attributes", QualityOfService.AtLeastOnce);
        await device.SubscribeAsync("v1/devices/me/attributes/response/+", QualityOfService.AtLeastOnce);
        await device.PublishAsync("v1/devices/me/attributes", Encoding.UTF8.GetBytes("{\"firmware\":\"2.0\"}"), QualityOfService.AtLeastOnce);

        (await api.PostAsync($"/api/v1/devices/{id}/attributes/shared", new StringContent("{\"targetTemperature\":19}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var pushed = await Eventually.HoldsAsync(() => Task.FromResult(inbox.ToList()), m => m.Any(x => x.Topic == "v1/devices/me/attributes"), "shared attribute pushed");
        pushed.First(x => x.Topic == "v1/devices/me/attributes").Body.ShouldBe("{\"targetTemperature\":19}");

        await device.PublishAsync("v1/devices/me/attributes/request/7", Encoding.UTF8.GetBytes("{\"clientKeys\":\"firmware\",\"sharedKeys\":\"targetTemperature\"}"), QualityOfService.AtLeastOnce);
        var answered = await Eventually.HoldsAsync(() => Task.FromResult(inbox.ToList()), m => m.Any(x => x.Topic == "v1/devices/me/attributes/response/7"), "attribute answer");
        var answer = JsonDocument.Parse(answered.First(x => x.Topic.EndsWith("/7", StringComparison.Ordinal)).Body).RootElement;
        answer.GetProperty("client").GetProperty("firmware").GetString().ShouldBe("2.0");
        answer.GetProperty("shared").GetProperty("targetTemperature").GetInt32().ShouldBe(19);
    }

    [Fact]
    public async Task Server_rpc_waits_for_the_devices_answer_and_says_when_it_cannot()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        (await api.PostAsJsonAsync($"/api/v1/devices/{id}/rpc", new { method = "reboot" })).StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict, "not connected");

        await using var device = Client(app, token, MqttProtocolVersion.V311);
        device.MessageReceived = async (m, ct) =>
        {
            if (!m.Message.Topic.StartsWith("v1/devices/me/rpc/request/", StringComparison.Ordinal)) return;
            var request = JsonDocument.Parse(m.Message.Payload).RootElement;
            if (request.GetProperty("method").GetString() == "ignore") return;
            var answer = $"{{\"done\":\"{request.GetProperty("method").GetString()}\",\"mode\":\"{request.GetProperty("params").GetProperty("mode").GetString()}\"}}";
            await device.PublishAsync("v1/devices/me/rpc/response/" + m.Message.Topic.Split('/')[^1], Encoding.UTF8.GetBytes(answer), QualityOfService.AtLeastOnce, cancellationToken: ct);
        };
        await device.ConnectAsync();
        await device.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);

        var reply = await api.PostAsJsonAsync($"/api/v1/devices/{id}/rpc", new { method = "setMode", @params = new { mode = "eco" } });
        reply.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await reply.Content.ReadAsStringAsync());
        var body = await reply.ReadAsync<JsonElement>();
        body.GetProperty("done").GetString().ShouldBe("setMode");
        body.GetProperty("mode").GetString().ShouldBe("eco");
        (await api.PostAsJsonAsync($"/api/v1/devices/{id}/rpc", new { method = "ignore", @params = new { mode = "x" }, timeout = 300 })).StatusCode.ShouldBe(System.Net.HttpStatusCode.GatewayTimeout);
        (await api.PostAsJsonAsync($"/api/v1/devices/{id}/rpc", new { method = "ignore", @params = new { mode = "x" }, oneway = true })).StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Rotating_a_token_ends_the_old_tokens_mqtt_connection_and_http_access()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        await using var device = Client(app, token, MqttProtocolVersion.V500);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Disconnected = _ => ended.TrySetResult();
        await device.ConnectAsync();
        (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"t\":1}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);

        var rotated = await api.PostAsync($"/api/v1/devices/{id}/token", null);
        var newToken = (await rotated.ReadAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await using (var again = Client(app, token, MqttProtocolVersion.V311))
        {
            (await Should.ThrowAsync<MqttConnectException>(() => again.ConnectAsync())).ReasonCode.ShouldBe(ReasonCode.BadUserNameOrPassword);
        }
        (await app.CreateClient().PostAsync($"/api/v1/{token}/telemetry", new StringContent("{\"t\":2}"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);

        await using var renewed = await ConnectAsync(app, newToken, MqttProtocolVersion.V500);
        (await renewed.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"t\":3}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
    }

    [Fact]
    public async Task Deleting_a_device_ends_its_mqtt_connection()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        await using var device = Client(app, token, MqttProtocolVersion.V311);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Disconnected = _ => ended.TrySetResult();
        await device.ConnectAsync();
        (await api.DeleteAsync($"/api/v1/devices/{id}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Wrong_secrets_from_the_provision_user_over_mqtt_are_throttled()
    {
        using var app = new CrmApp();
        app.Settings["Mqtt:Port"] = Peers.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var profile = await app.Admin().CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 9", secret = "right-secret" });
        var key = profile.GetProperty("key").GetString();
        var inbox = new ConcurrentQueue<(string Topic, string Body)>();
        await using (var provisioner = Client(app, "provision", MqttProtocolVersion.V311, inbox))
        {
            await provisioner.ConnectAsync();
            await provisioner.SubscribeAsync("/provision/response", QualityOfService.AtLeastOnce);
            for (var i = 0; i < 12; i++)
            {
                await provisioner.PublishAsync("/provision/request", Encoding.UTF8.GetBytes($"{{\"provisionDeviceKey\":\"{key}\",\"provisionDeviceSecret\":\"guess-{i}\"}}"), QualityOfService.AtLeastOnce);
            }
            await Eventually.HoldsAsync(() => Task.FromResult(inbox.Count), n => n == 12, "12 answers");
        }
        var statuses = inbox.Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("status").GetString()).ToList();
        statuses.Take(10).ShouldAllBe(s => s == "NOT_FOUND");
        statuses.Skip(10).ShouldAllBe(s => s == "FAILURE");
    }

    [Fact]
    public async Task A_device_provisions_itself_over_mqtt_and_then_connects_with_its_new_token()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var profile = await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Factory line 2", model = "AP-600", customerId = customer });
        var key = profile.GetProperty("key").GetString();
        var secret = profile.GetProperty("secret").GetString();

        var inbox = new ConcurrentQueue<(string Topic, string Body)>();
        await using (var provisioner = Client(app, "provision", MqttProtocolVersion.V311, inbox))
        {
            await provisioner.ConnectAsync();
            await provisioner.SubscribeAsync("/provision/response", QualityOfService.AtLeastOnce);
            await provisioner.PublishAsync("/provision/request", Encoding.UTF8.GetBytes($"{{\"deviceName\":\"purifier-0042\",\"provisionDeviceKey\":\"{key}\",\"provisionDeviceSecret\":\"wrong\"}}"), QualityOfService.AtLeastOnce);
            await provisioner.PublishAsync("/provision/request", Encoding.UTF8.GetBytes($"{{\"deviceName\":\"purifier-0042\",\"provisionDeviceKey\":\"{key}\",\"provisionDeviceSecret\":\"{secret}\"}}"), QualityOfService.AtLeastOnce);
        }
        var answers = inbox.Select(m => JsonDocument.Parse(m.Body).RootElement).ToList();
        answers.Count.ShouldBe(2);
        answers[0].GetProperty("status").GetString().ShouldBe("NOT_FOUND");
        answers[1].GetProperty("status").GetString().ShouldBe("SUCCESS");
        answers[1].GetProperty("credentialsType").GetString().ShouldBe("ACCESS_TOKEN");
        var token = answers[1].GetProperty("credentialsValue").GetString()!;

        await using var device = await ConnectAsync(app, token, MqttProtocolVersion.V500);
        var created = (await api.GetFromJsonAsync<JsonElement>("/api/v1/devices?q=purifier-0042")).GetProperty("items")[0];
        created.GetProperty("model").GetString().ShouldBe("AP-600");
        created.GetProperty("customerId").GetInt64().ShouldBe(customer);

        var again = await app.CreateClient().PostAsJsonAsync("/api/v1/provision", new { deviceName = "purifier-0042", provisionDeviceKey = key, provisionDeviceSecret = secret });
        (await again.ReadAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("FAILURE", "provisioned already");
    }

    [PeerTheory("mosquitto_pub", "paho")]
    [InlineData("mqttv311", 4)]
    [InlineData("mqttv5", 5)]
    public async Task Mosquitto_pub_and_paho_publish_telemetry_into_our_broker(string version, int pahoProtocol)
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var port = app.Services.GetRequiredService<DeviceGateway>().Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var published = Peers.Run(Peers.Require("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", port, "-u", token, "-V", version, "-q", "1", "-t", "v1/devices/me/telemetry", "-m", "{\"fromMosquitto\":1}"], TimeSpan.FromSeconds(20));
        published.ExitCode.ShouldBe(0, published.Error);

        var script = Path.Combine(Path.GetTempPath(), $"paho-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, $$"""
            import paho.mqtt.client as mqtt, sys
            c = mqtt.Client(client_id="paho-device", protocol={{pahoProtocol}})
            c.username_pw_set("{{token}}")
            c.connect("127.0.0.1", {{port}})
            c.loop_start()
            info = c.publish("v1/devices/me/telemetry", '{"fromPaho":2}', qos=1)
            info.wait_for_publish(10)
            c.loop_stop()
            c.disconnect()
            sys.exit(0 if info.is_published() else 3)
            """);
        var paho = Peers.Run(Peers.Python, [script], TimeSpan.FromSeconds(30));
        File.Delete(script);
        paho.ExitCode.ShouldBe(0, paho.Error);

        var latest = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
        latest.GetProperty("fromMosquitto").GetProperty("value").GetInt32().ShouldBe(1);
        latest.GetProperty("fromPaho").GetProperty("value").GetInt32().ShouldBe(2);
    }

    private static MqttClient Client(CrmApp app, string token, MqttProtocolVersion version, ConcurrentQueue<(string, string)>? inbox = null)
    {
        app.CreateClient().Dispose();
        var port = app.Services.GetRequiredService<DeviceGateway>().Port ?? throw new InvalidOperationException("The broker is off.");
        var client = new MqttClient(new MqttClientOptions
        {
            Port = port, UserName = token, ClientId = "test-" + Guid.NewGuid().ToString("N")[..8], ProtocolVersion = version, AutoReconnect = false,
        });
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

    private static async Task<MqttClient> ConnectAsync(CrmApp app, string token, MqttProtocolVersion version, ConcurrentQueue<(string, string)>? inbox = null)
    {
        var client = Client(app, token, version, inbox);
        await client.ConnectAsync();
        return client;
    }
}
