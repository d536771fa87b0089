using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Devices;
using SmartCrm.Gateway;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Tests.Peers;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Gateway;

public sealed class UpstreamTests
{
    private const long T0 = 1_767_225_600_000;

    [PeerFact("mosquitto")]
    public async Task Two_nodes_on_one_mosquitto_broker_split_the_stream_and_handle_each_message_once()
    {
        await using var mosquitto = await Mosquitto.StartAsync();
        var group = "nodes" + Guid.NewGuid().ToString("N")[..6];
        using var first = new CrmApp();
        first.Settings["Mqtt:Upstream"] = $"mqtt://127.0.0.1:{mosquitto.Port}";
        first.Settings["Mqtt:UpstreamGroup"] = group;
        using var second = new CrmApp();
        second.Settings["Storage:DataDirectory"] = first.DataDirectory;
        second.Settings["Mqtt:Upstream"] = first.Settings["Mqtt:Upstream"];
        second.Settings["Mqtt:UpstreamGroup"] = group;
        var api = first.Admin();
        second.CreateClient().Dispose();
        var (id, token) = await api.CreateDeviceAsync();

        const int messages = 200;
        await using (var device = new MqttClient(new MqttClientOptions { Port = mosquitto.Port, ClientId = "device-" + group, AutoReconnect = false }))
        {
            await device.ConnectAsync();
            for (var i = 0; i < messages; i++)
            {
                var body = Encoding.UTF8.GetBytes($"{{\"ts\":{T0 + i},\"values\":{{\"n\":{i}}}}}");
                (await device.PublishAsync($"v1/devices/{token}/telemetry", body, QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
            }
        }

        var a = first.Services.GetRequiredService<UpstreamSubscriber>();
        var b = second.Services.GetRequiredService<UpstreamSubscriber>();
        await Eventually.HoldsAsync(() => Task.FromResult(a.Handled + b.Handled), n => n >= messages, "all messages handled", seconds: 30);
        await Task.Delay(300);
        (a.Handled + b.Handled).ShouldBe(messages, "no message handled twice");
        a.Handled.ShouldBeGreaterThan(0);
        b.Handled.ShouldBeGreaterThan(0);

        var stored = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=n&from={T0}&to={T0 + messages}&limit=1000");
        stored.GetProperty("n").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).ShouldBe(Enumerable.Range(0, messages));
    }
}
