using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Telemetry;

public sealed class TelemetryApiTests(Apps apps) : IClassFixture<Apps>
{
    private const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Every_thingsboard_payload_shape_is_stored_and_read_back(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var device = app.CreateClient();
        await PostAsync(device, token, $"{{\"ts\":{T0},\"values\":{{\"temperature\":20.5,\"heating\":true,\"mode\":\"eco\",\"schedule\":{{\"mon\":[6,22]}}}}}}");
        await PostAsync(device, token, $"[{{\"ts\":{T0 + 1000},\"values\":{{\"temperature\":21}}}},{{\"ts\":{T0 + 2000},\"values\":{{\"temperature\":22}}}}]");
        await PostAsync(device, token, "{\"humidity\":40}");

        var series = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=temperature,heating,mode,schedule&from={T0}&to={T0 + 10_000}");
        series.GetProperty("temperature").EnumerateArray().Select(p => (p.GetProperty("ts").GetInt64(), p.GetProperty("value").GetDouble()))
            .ShouldBe([(T0, 20.5), (T0 + 1000, 21.0), (T0 + 2000, 22.0)]);
        series.GetProperty("heating")[0].GetProperty("value").GetBoolean().ShouldBeTrue();
        series.GetProperty("mode")[0].GetProperty("value").GetString().ShouldBe("eco");
        series.GetProperty("schedule")[0].GetProperty("value").GetProperty("mon")[1].GetInt32().ShouldBe(22);

        var latest = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
        latest.GetProperty("temperature").GetProperty("value").GetDouble().ShouldBe(22);
        latest.GetProperty("humidity").GetProperty("ts").GetInt64().ShouldBeGreaterThan(T0 + 10_000, "no ts means the time it arrived");

        var seen = await app.WithDbAsync(db => Task.FromResult(db.Devices.Single(d => d.Id == id)));
        seen.LastSeenAt.ShouldNotBeNull();
        seen.Online.ShouldBeTrue();
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Aggregates_fold_readings_into_intervals(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        // Ten minutes of readings, one a minute: 0, 1, ..., 9.
        var body = "[" + string.Join(",", Enumerable.Range(0, 10).Select(i => $"{{\"ts\":{T0 + i * 60_000},\"values\":{{\"power\":{i}}}}}")) + "]";
        await PostAsync(app.CreateClient(), token, body);

        async Task<List<(long Ts, double Value)>> Fold(string agg) =>
            [.. (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=power&from={T0}&to={T0 + 600_000}&interval=300000&agg={agg}"))
                .GetProperty("power").EnumerateArray().Select(p => (p.GetProperty("ts").GetInt64(), p.GetProperty("value").GetDouble()))];

        (await Fold("avg")).ShouldBe([(T0, 2.0), (T0 + 300_000, 7.0)]);
        (await Fold("min")).ShouldBe([(T0, 0.0), (T0 + 300_000, 5.0)]);
        (await Fold("max")).ShouldBe([(T0, 4.0), (T0 + 300_000, 9.0)]);
        (await Fold("sum")).ShouldBe([(T0, 10.0), (T0 + 300_000, 35.0)]);
        (await Fold("count")).ShouldBe([(T0, 5.0), (T0 + 300_000, 5.0)]);

        var limited = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=power&from={T0}&to={T0 + 600_000}&limit=3");
        limited.GetProperty("power").GetArrayLength().ShouldBe(3);
        var window = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=power&from={T0 + 60_000}&to={T0 + 180_000}");
        window.GetProperty("power").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()).ShouldBe([1.0, 2.0], "from is inclusive, to exclusive");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_reading_sent_again_for_the_same_time_replaces_the_first(Provider provider)
    {
        var app = apps.For(provider);
        var (id, token) = await app.Admin().CreateDeviceAsync();
        var device = app.CreateClient();
        await PostAsync(device, token, $"[{{\"ts\":{T0},\"values\":{{\"t\":1}}}},{{\"ts\":{T0},\"values\":{{\"t\":2}}}}]");
        await PostAsync(device, token, $"{{\"ts\":{T0 + 5},\"values\":{{\"t\":3}}}}");
        await PostAsync(device, token, $"{{\"ts\":{T0 + 5},\"values\":{{\"t\":4}}}}");
        var series = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from={T0}&to={T0 + 10}");
        series.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()).ShouldBe([2.0, 4.0]);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Bad_payloads_are_refused_naming_the_place_and_store_nothing(Provider provider)
    {
        var app = apps.For(provider);
        var (id, token) = await app.Admin().CreateDeviceAsync();
        var device = app.CreateClient();
        var cases = new (string Body, string Place)[]
        {
            ("{\"t\":", "not JSON"),
            ("42", "$"),
            ("[{\"ts\":1,\"values\":{\"t\":1}}, 7]", "[1]"),
            ($"{{\"ts\":\"yesterday\",\"values\":{{\"t\":1}}}}", ".ts"),
            ("{\"ts\":5,\"values\":[1]}", ".values"),
            ("{\"t\":null}", "t"),
            ($"{{\"{new string('k', 101)}\":1}}", "key names"),
            ($"{{\"note\":\"{new string('x', 10_001)}\"}}", "note"),
        };
        foreach (var (body, place) in cases)
        {
            var response = await device.PostAsync($"/api/v1/{token}/telemetry", new StringContent(body, Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body[..Math.Min(40, body.Length)]);
            (await response.Content.ReadAsStringAsync()).ShouldContain(place);
        }
        var huge = new string(' ', SmartCrm.Devices.DevicesApi.MaxMessageBytes + 1) + "{}";
        (await device.PostAsync($"/api/v1/{token}/telemetry", new StringContent(huge))).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await device.PostAsync("/api/v1/not-a-token/telemetry", new StringContent("{\"t\":1}"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var latest = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
        latest.EnumerateObject().Count().ShouldBe(0);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Queries_name_what_is_wrong(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var (id, _) = await api.CreateDeviceAsync();
        foreach (var (query, field) in new[]
        {
            ("", "keys"), ("?keys=t&from=10&to=5", "to"), ("?keys=t&agg=median&interval=10", "agg"), ("?keys=t&agg=avg", "interval"),
            ("?keys=t&from=0&to=100000000&agg=avg&interval=1", "interval"), ("?keys=t&limit=0", "limit"),
        })
        {
            var response = await api.GetAsync($"/api/v1/devices/{id}/telemetry{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            (await response.ReadAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(query);
        }
        (await api.GetAsync("/api/v1/devices/987654321/telemetry?keys=t")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task PostAsync(HttpClient device, string token, string body)
    {
        var response = await device.PostAsync($"/api/v1/{token}/telemetry", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
