using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Devices;
using SmartCrm.Gateway;
using SmartCrm.Mqtt.Tests.Peers;
using SmartCrm.Tests.Devices;
using SmartCrm.Tests.Gateway;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Telemetry;

/// <summary>
/// Every acknowledged reading is kept (issue 10, point 2): readings without "ts" take a server time that is unique per device
/// and key and never goes back, on one node, after a restart and across nodes; a repeated explicit "ts" is an update.
/// </summary>
public sealed class ReadingsKeptTests(BrokerApps apps) : IClassFixture<BrokerApps>
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [PeerTheory("mosquitto_pub"), MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Ten_thousand_qos1_messages_without_ts_from_mosquitto_pub_are_ten_thousand_points_in_order(Provider provider)
    {
        const int Messages = 10_000;
        var app = apps.For(provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var port = app.Services.GetRequiredService<DeviceGateway>().Port!.Value.ToString(CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo(Peers.Require("mosquitto_pub")) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", port, "-u", token, "-q", "1", "-t", "v1/devices/me/telemetry", "-l" }) info.ArgumentList.Add(a);
        using var publisher = Process.Start(info)!;
        var lines = new StringBuilder();
        for (var i = 0; i < Messages; i++) lines.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{i}}}\n");
        await publisher.StandardInput.WriteAsync(lines.ToString());
        publisher.StandardInput.Close();
        var result = await Peers.WaitAsync(publisher, TimeSpan.FromSeconds(120));
        result.ExitCode.ShouldBe(0, result.Error);

        // mosquitto_pub exits once every message is acknowledged, and acknowledged means stored: no waiting.
        var series = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=seq&from=0&limit=100000");
        var values = series.GetProperty("seq").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).ToList();
        values.Count.ShouldBe(Messages);
        values.ShouldBe(Enumerable.Range(0, Messages), "kept in the order they arrived");
        var times = series.GetProperty("seq").EnumerateArray().Select(p => p.GetProperty("ts").GetInt64()).ToList();
        times.Zip(times.Skip(1)).ShouldAllBe(pair => pair.First <= pair.Second);
        var latest = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
        latest.GetProperty("seq").GetProperty("value").GetInt32().ShouldBe(Messages - 1);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Readings_without_ts_in_the_same_millisecond_are_all_kept_in_arrival_order(Provider provider)
    {
        using var app = new ClockedCrmApp(new FakeTimeProvider(T0), provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        await app.SendTelemetryAsync(token, "{\"t\":1,\"h\":10}");
        await app.SendTelemetryAsync(token, "{\"t\":2}");
        await app.SendTelemetryAsync(token, "[{\"t\":3},{\"t\":4,\"h\":40}]");

        var series = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t,h&from={T0.ToUnixTimeMilliseconds()}&to={T0.ToUnixTimeMilliseconds() + 1}");
        series.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).ShouldBe([1, 2, 3, 4]);
        series.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("ts").GetInt64()).Distinct().ShouldBe([T0.ToUnixTimeMilliseconds()], "the API speaks milliseconds");
        series.GetProperty("h").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).ShouldBe([10, 40]);
        var latest = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
        latest.GetProperty("t").GetProperty("value").GetInt32().ShouldBe(4);
        latest.GetProperty("h").GetProperty("value").GetInt32().ShouldBe(40);
        var counted = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from={T0.ToUnixTimeMilliseconds()}&to={T0.ToUnixTimeMilliseconds() + 1}&interval=1&agg=count");
        counted.GetProperty("t")[0].GetProperty("value").GetDouble().ShouldBe(4);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task An_explicit_ts_updates_only_the_reading_sent_with_that_ts(Provider provider)
    {
        using var app = new ClockedCrmApp(new FakeTimeProvider(T0), provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var ms = T0.ToUnixTimeMilliseconds();
        await app.SendTelemetryAsync(token, "{\"t\":1}");
        await app.SendTelemetryAsync(token, $"{{\"ts\":{ms},\"values\":{{\"t\":2}}}}");
        await app.SendTelemetryAsync(token, $"{{\"ts\":{ms},\"values\":{{\"t\":3}}}}");

        var series = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from={ms}&to={ms + 1}");
        series.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).Order().ToArray().ShouldBe(new[] { 1, 3 },
            "the reading without ts is kept; the second explicit one replaced the first");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_restarted_node_whose_clock_went_back_stores_new_readings_after_the_old_ones(Provider provider)
    {
        using var first = new ClockedCrmApp(new FakeTimeProvider(T0), provider);
        var api = first.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        await first.SendTelemetryAsync(token, "{\"t\":1}");
        await first.SendTelemetryAsync(token, "{\"t\":2}");

        // The same database, a new process, and a clock an hour behind (a VM restored, an NTP step).
        using var restarted = new ClockedCrmApp(new FakeTimeProvider(T0.AddHours(-1)), first);
        await restarted.SendTelemetryAsync(token, "{\"t\":3}");
        await restarted.SendTelemetryAsync(token, "{\"t\":4}");

        var all = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from=0&to={T0.AddDays(1).ToUnixTimeMilliseconds()}");
        all.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).ShouldBe([1, 2, 3, 4]);
        all.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("ts").GetInt64()).ShouldAllBe(ts => ts >= T0.ToUnixTimeMilliseconds());
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest")).GetProperty("t").GetProperty("value").GetInt32().ShouldBe(4);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Two_nodes_storing_one_devices_readings_in_the_same_millisecond_keep_them_all(Provider provider)
    {
        // Upstream mode: a shared subscription hands one device's messages to either node; both clocks read the same millisecond.
        using var one = new ClockedCrmApp(new FakeTimeProvider(T0), provider);
        var api = one.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        using var two = new ClockedCrmApp(new FakeTimeProvider(T0), one);
        var nodes = new CrmApp[] { one, two };
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => nodes[i % 2].SendTelemetryAsync(token, $"{{\"n\":{i}}}")));

        var series = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=n&from=0&to={T0.AddDays(1).ToUnixTimeMilliseconds()}");
        series.GetProperty("n").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).Order().ShouldBe(Enumerable.Range(0, 40));
    }

    [Fact]
    public async Task The_device_page_live_view_and_range_reads_agree_on_order_for_readings_of_one_millisecond()
    {
        using var app = new ClockedCrmApp(new FakeTimeProvider(T0));
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        using var live = app.CreateClient();
        live.DefaultRequestHeaders.Authorization = api.DefaultRequestHeaders.Authorization;
        using var stream = await live.GetStreamAsync($"/api/v1/devices/{id}/live");
        using var reader = new StreamReader(stream);
        (await reader.ReadLineAsync()).ShouldBe(": live");
        for (var i = 0; i < 5; i++) await app.SendTelemetryAsync(token, $"{{\"t\":{i}}}");
        var seen = new List<int>();
        while (seen.Count < 5)
        {
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            if (line is null) break;
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            seen.Add(JsonDocument.Parse(line[6..]).RootElement.GetProperty("value").GetInt32());
        }
        seen.ShouldBe([0, 1, 2, 3, 4]);
        var series = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from=0&to={T0.AddDays(1).ToUnixTimeMilliseconds()}");
        series.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetInt32()).ShouldBe(seen);
        (await api.GetAsync($"/api/v1/devices/{id}/telemetry?keys=t&from=0&limit=2")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
