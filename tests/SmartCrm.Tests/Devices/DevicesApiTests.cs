using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Devices;

public sealed class DevicesApiTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_new_device_shows_its_token_once_and_stores_only_a_hash(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = "Hall thermostat", customerId = customer, model = "TH-100", serverAttributes = new { floor = 2 } });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var created = await response.ReadAsync<JsonElement>();
        var token = created.GetProperty("accessToken").GetString()!;
        token.Length.ShouldBeGreaterThanOrEqualTo(20);
        created.GetProperty("serverAttributes").GetProperty("floor").GetInt32().ShouldBe(2);

        var fetched = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{created.Id()}");
        fetched.TryGetProperty("accessToken", out _).ShouldBeFalse();
        fetched.TryGetProperty("tokenHash", out _).ShouldBeFalse();
        var stored = await app.WithDbAsync(db => Task.FromResult(db.Devices.Single(d => d.Id == created.Id())));
        stored.TokenHash.ShouldNotContain(token);
        stored.TokenHash.ShouldBe(SmartCrm.Devices.DeviceToken.Hash(token));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Rotating_the_token_locks_out_the_old_one_at_once(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var device = apps.For(provider).CreateClient();
        (await device.PostAsync($"/api/v1/{token}/telemetry", Json("{\"t\":1}"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var rotated = await (await api.PostAsync($"/api/v1/devices/{id}/token", null)).ReadAsync<JsonElement>();
        var fresh = rotated.GetProperty("accessToken").GetString()!;
        fresh.ShouldNotBe(token);
        (await device.PostAsync($"/api/v1/{token}/telemetry", Json("{\"t\":2}"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await device.PostAsync($"/api/v1/{fresh}/telemetry", Json("{\"t\":3}"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await api.DeleteAsync($"/api/v1/devices/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await device.PostAsync($"/api/v1/{fresh}/telemetry", Json("{\"t\":4}"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Devices_validate_their_owner_and_attributes(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var noOwner = await api.PostAsJsonAsync("/api/v1/devices", new { name = "x", customerId = 987654321 });
        noOwner.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noOwner.Content.ReadAsStringAsync()).ShouldContain("customerId");
        var badAttributes = await api.PostAsJsonAsync("/api/v1/devices", new { name = "x", serverAttributes = new[] { 1, 2 } });
        (await badAttributes.Content.ReadAsStringAsync()).ShouldContain("serverAttributes");
        var support = apps.For(provider).ClientAs(SmartCrm.Security.Role.Sales);
        (await support.PostAsJsonAsync("/api/v1/devices", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Client_attributes_merge_from_the_device_and_shared_ones_from_people(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var device = app.CreateClient();
        (await device.PostAsync($"/api/v1/{token}/attributes", Json("{\"firmware\":\"1.2.0\",\"wifi\":\"home\"}"))).EnsureSuccessStatusCode();
        (await device.PostAsync($"/api/v1/{token}/attributes", Json("{\"firmware\":\"1.3.0\",\"wifi\":null}"))).EnsureSuccessStatusCode();
        (await api.PostAsync($"/api/v1/devices/{id}/attributes/shared", Json("{\"targetTemperature\":21.5}"))).EnsureSuccessStatusCode();

        var twin = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/attributes");
        twin.GetProperty("client").GetProperty("firmware").GetString().ShouldBe("1.3.0");
        twin.GetProperty("client").TryGetProperty("wifi", out _).ShouldBeFalse("null removes an attribute");
        twin.GetProperty("shared").GetProperty("targetTemperature").GetDouble().ShouldBe(21.5);

        var asked = await device.GetFromJsonAsync<JsonElement>($"/api/v1/{token}/attributes?sharedKeys=targetTemperature");
        asked.GetProperty("shared").GetProperty("targetTemperature").GetDouble().ShouldBe(21.5);
        var audit = await api.GetFromJsonAsync<JsonElement>($"/api/v1/audit?entity=Device&entityId={id}&sort=-id");
        audit.GetProperty("items")[0].GetProperty("changes").GetString()!.ShouldContain("targetTemperature");

        (await device.PostAsync($"/api/v1/{token}/attributes", Json("[1,2]"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_store_reader_puts_a_linked_card_on_the_customers_timeline(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var uid = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await api.CreateAsync("/api/v1/cards", new { uid = string.Join(":", uid.Chunk(2).Select(c => new string(c))).ToLowerInvariant(), customerId = customer, label = "loyalty" });
        var (_, reader) = await api.CreateDeviceAsync(model: "RFID-1", name: "Entrance reader");

        (await app.CreateClient().PostAsync($"/api/v1/{reader}/telemetry", Json($"{{\"card\":\"{uid}\"}}"))).EnsureSuccessStatusCode();
        (await app.CreateClient().PostAsync($"/api/v1/{reader}/telemetry", Json("{\"card\":\"FFFFFFFF\"}"))).EnsureSuccessStatusCode();

        var timeline = await api.GetFromJsonAsync<JsonElement>($"/api/v1/interactions?customerId={customer}");
        timeline.GetProperty("total").GetInt32().ShouldBe(1);
        var visit = timeline.GetProperty("items")[0];
        visit.GetProperty("channel").GetString().ShouldBe("Store");
        visit.GetProperty("subject").GetString()!.ShouldContain("Entrance reader");

        var again = await api.PostAsJsonAsync("/api/v1/cards", new { uid, customerId = customer });
        (await again.Content.ReadAsStringAsync()).ShouldContain("linked already");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
