using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Telemetry;

/// <summary>
/// Device payloads over HTTP that used to answer 500 or were stored without bound (issue 10, point 8): each is refused with
/// 400 problem+json naming the key, and nothing of the message is stored.
/// </summary>
public sealed class DevicePayloadBoundsTests(Apps apps) : IClassFixture<Apps>
{
    public static TheoryData<string, string> BadTelemetry => new()
    {
        { "{\"t\":\"\\ud800\"}", "t" },
        { "{\"ok\":1,\"\\udc00x\":2}", "$" },
        { "{\"ts\":1767225600000,\"values\":{\"cfg\":{\"name\":\"\\ud800\"}}}", ".values.cfg" },
        { "{\"cfg\":[1,{\"\\ud83d\":1}]}", "cfg" },
        { "{\"t\":\"nul\\u0000inside\"}", "t" },
        { "{\"ts\":99999999999999999,\"values\":{\"t\":1}}", ".ts" },
        { "{\"temp\":1,\"temp\":2}", "temp" },
        { "{\"big\":1e400}", "big" },
        { "{\"deep\":" + new string('[', 40) + new string(']', 40) + "}", "$" },
    };

    [Theory, MemberData(nameof(BadTelemetry))]
    public async Task Unstorable_telemetry_is_refused_with_400_naming_the_key_and_nothing_is_kept(string body, string place)
    {
        var app = apps.For(Provider.Sqlite);
        await RefusedAsync(app, "telemetry", body, place);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Lone_surrogates_and_nul_are_refused_on_both_databases(Provider provider)
    {
        var app = apps.For(provider);
        await RefusedAsync(app, "telemetry", "{\"t\":\"\\ud800\"}", "t");
        await RefusedAsync(app, "telemetry", "{\"t\":\"a\\u0000b\"}", "t");
        await RefusedAsync(app, "attributes", "{\"firmware\":\"\\ud800\"}", "firmware");
    }

    public static TheoryData<string, string> BadAttributes => new()
    {
        { "{\"firmware\":\"\\ud800\"}", "firmware" },
        { "{\"\\ud800\":1}", "$" },
        { "{\"cfg\":{\"a\":[\"\\udfff\"]}}", "cfg" },
        { "{\"notes\":\"" + new string('x', 10_001) + "\"}", "notes" },
        { "{\"cfg\":[\"" + new string('x', 10_001) + "\"]}", "cfg" },
        { "{" + string.Join(",", Enumerable.Range(0, 501).Select(i => $"\"a{i}\":1")) + "}", "a500" },
        { "{\"t\":\"nul\\u0000inside\"}", "t" },
    };

    [Theory, MemberData(nameof(BadAttributes))]
    public async Task Unstorable_or_unbounded_attributes_are_refused_with_400_naming_the_key(string body, string place)
    {
        var app = apps.For(Provider.Sqlite);
        await RefusedAsync(app, "attributes", body, place);
    }

    [Fact]
    public async Task A_device_twin_keeps_a_bounded_number_of_attributes_over_many_messages()
    {
        var app = apps.For(Provider.Sqlite);
        var (id, token) = await app.Admin().CreateDeviceAsync();
        var device = app.CreateClient();
        for (var batch = 0; batch < 5; batch++)
        {
            var body = "{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"k{batch}_{i}\":{i}")) + "}";
            (await device.PostAsync($"/api/v1/{token}/attributes", Json(body))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var refused = await device.PostAsync($"/api/v1/{token}/attributes", Json("{\"one_more\":1}"));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("500");
        var twin = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/attributes");
        twin.GetProperty("client").EnumerateObject().Count().ShouldBe(500);
        (await device.PostAsync($"/api/v1/{token}/attributes", Json("{\"k0_0\":null,\"one_more\":1}"))).StatusCode.ShouldBe(HttpStatusCode.OK, "removing one makes room");
    }

    [Fact]
    public async Task Shared_attributes_set_through_the_api_have_the_same_bounds()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var (id, _) = await api.CreateDeviceAsync();
        var response = await api.PostAsync($"/api/v1/devices/{id}/attributes/shared", Json("{\"mode\":\"" + new string('x', 10_001) + "\"}"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("mode");
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/attributes")).GetProperty("shared").EnumerateObject().Count().ShouldBe(0);
    }

    private static async Task RefusedAsync(CrmApp app, string kind, string body, string place)
    {
        var (id, token) = await app.Admin().CreateDeviceAsync();
        var response = await app.CreateClient().PostAsync($"/api/v1/{token}/{kind}", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        text.ShouldContain(place);
        var latest = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest");
        latest.EnumerateObject().Count().ShouldBe(0, "nothing of a refused message is stored");
        var twin = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/attributes");
        twin.GetProperty("client").EnumerateObject().Count().ShouldBe(0);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
