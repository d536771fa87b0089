using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Devices;

/// <summary>
/// An app whose clients can claim an address with the X-Test-Client-Address header: the test server has no sockets, and
/// throttling per address needs clients on several addresses.
/// </summary>
public sealed class AddressedApp : CrmApp
{
    public const string Header = "X-Test-Client-Address";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ClientAddress()));
    }

    private sealed class ClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, then) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var address)) context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                return then(context);
            });
            next(app);
        };
    }
}

public sealed class ProvisioningTests
{
    [Fact]
    public async Task Provision_secrets_are_stored_salted_and_slow_to_guess()
    {
        using var app = new CrmApp();
        var api = app.Admin();
        var first = await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 1", secret = "the-same-secret" });
        var second = await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 2", secret = "the-same-secret" });
        var hashes = await app.WithDbAsync(db => db.ProvisioningProfiles.OrderBy(p => p.Id).Select(p => p.SecretHash).ToListAsync());
        hashes.ShouldNotContain(Sha256("the-same-secret"));
        hashes[0].ShouldNotBe(hashes[1], "salted: one secret, two hashes");

        var answer = await ProvisionAsync(app, first.GetProperty("key").GetString()!, "the-same-secret", "purifier-1");
        answer.GetProperty("status").GetString().ShouldBe("SUCCESS");
        (await ProvisionAsync(app, second.GetProperty("key").GetString()!, "not-the-secret", "purifier-2")).GetProperty("status").GetString().ShouldBe("NOT_FOUND");
    }

    [Fact]
    public async Task A_profile_with_a_secret_stored_as_plain_sha256_still_provisions_and_is_upgraded_on_that_use()
    {
        using var app = new CrmApp();
        var profile = await app.Admin().CreateAsync("/api/v1/provisioning-profiles", new { name = "Old firmware line", secret = "secret-from-2024" });
        var id = profile.Id();
        var key = profile.GetProperty("key").GetString()!;
        // What an older version stored.
        await app.WithDbAsync(db => db.ProvisioningProfiles.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.SecretHash, Sha256("secret-from-2024"))));

        (await ProvisionAsync(app, key, "wrong-secret", "old-1")).GetProperty("status").GetString().ShouldBe("NOT_FOUND");
        (await app.WithDbAsync(db => db.ProvisioningProfiles.Where(p => p.Id == id).Select(p => p.SecretHash).SingleAsync())).ShouldBe(Sha256("secret-from-2024"));
        (await ProvisionAsync(app, key, "secret-from-2024", "old-2")).GetProperty("status").GetString().ShouldBe("SUCCESS");
        var upgraded = await app.WithDbAsync(db => db.ProvisioningProfiles.Where(p => p.Id == id).Select(p => p.SecretHash).SingleAsync());
        upgraded.ShouldNotBe(Sha256("secret-from-2024"));
        (await ProvisionAsync(app, key, "secret-from-2024", "old-3")).GetProperty("status").GetString().ShouldBe("SUCCESS", "the upgraded hash verifies");
    }

    [Fact]
    public async Task Wrong_secrets_from_one_address_are_throttled_and_the_right_one_waits_too()
    {
        using var app = new AddressedApp();
        var api = app.Admin();
        var profile = await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 3", secret = "right-secret" });
        var key = profile.GetProperty("key").GetString()!;

        // A flood at once, then one by one: both are cut to the same budget.
        var flood = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => StatusAsync(app, "10.1.1.1", key, "guess-" + i)));
        var statuses = flood.ToList();
        for (var i = 0; i < 260; i++) statuses.Add(await StatusAsync(app, "10.1.1.1", key, "guess-more-" + i));
        statuses.Count(s => s == HttpStatusCode.Unauthorized).ShouldBe(10);
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).ShouldBe(290);

        (await StatusAsync(app, "10.1.1.1", key, "right-secret")).ShouldBe(HttpStatusCode.TooManyRequests);
        (await StatusAsync(app, "::ffff:10.1.1.1", key, "right-secret")).ShouldBe(HttpStatusCode.TooManyRequests, "the same address over IPv6 sockets");
        (await StatusAsync(app, "10.1.1.2", key, "right-secret")).ShouldBe(HttpStatusCode.OK, "another address is not held up");
        var throttled = await PostAsync(app, "10.1.1.1", key, "right-secret", "late");
        throttled.Headers.RetryAfter.ShouldNotBeNull();
        (await throttled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("FAILURE");
    }

    [Fact]
    public async Task Wrong_secrets_from_many_addresses_are_throttled_per_profile()
    {
        using var app = new AddressedApp();
        var api = app.Admin();
        var attacked = (await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 4", secret = "right-secret" })).GetProperty("key").GetString()!;
        var other = (await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 5", secret = "other-secret" })).GetProperty("key").GetString()!;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++) statuses.Add(await StatusAsync(app, $"10.2.0.{i + 1}", attacked, "guess-" + i));
        statuses.Take(30).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(30).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);

        (await StatusAsync(app, "10.2.1.1", attacked, "right-secret")).ShouldBe(HttpStatusCode.TooManyRequests);
        (await StatusAsync(app, "10.2.1.2", other, "other-secret")).ShouldBe(HttpStatusCode.OK, "other profiles provision as usual");
    }

    [Fact]
    public async Task One_ipv6_host_counts_as_one_client_whichever_address_of_its_64_it_uses()
    {
        using var app = new AddressedApp();
        var key = (await app.Admin().CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 6", secret = "right-secret" })).GetProperty("key").GetString()!;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add(await StatusAsync(app, $"2001:db8:1:2::{i + 1:x}", key, "guess-" + i));
        statuses.Count(s => s == HttpStatusCode.Unauthorized).ShouldBe(10);
        statuses.Skip(10).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        (await StatusAsync(app, "2001:db8:1:3::1", key, "right-secret")).ShouldBe(HttpStatusCode.OK, "the next /64 is another client");
    }

    [Fact]
    public async Task Oversized_keys_and_secrets_are_refused_naming_the_field()
    {
        using var app = new CrmApp();
        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/provision", new { provisionDeviceKey = new string('k', 5000), provisionDeviceSecret = "x" });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("provisionDeviceKey");
        response = await app.CreateClient().PostAsJsonAsync("/api/v1/provision", new { provisionDeviceKey = "k", provisionDeviceSecret = new string('s', 5000) });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("provisionDeviceSecret");
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<JsonElement> ProvisionAsync(CrmApp app, string key, string secret, string deviceName)
    {
        using var response = await app.CreateClient().PostAsJsonAsync("/api/v1/provision", new { deviceName, provisionDeviceKey = key, provisionDeviceSecret = secret });
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<HttpResponseMessage> PostAsync(CrmApp app, string address, string key, string secret, string? deviceName = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provision")
        {
            Content = JsonContent.Create(new { deviceName = deviceName ?? Builders.Unique("device-"), provisionDeviceKey = key, provisionDeviceSecret = secret }),
        };
        request.Headers.Add(AddressedApp.Header, address);
        return app.CreateClient().SendAsync(request);
    }

    private static async Task<HttpStatusCode> StatusAsync(CrmApp app, string address, string key, string secret)
    {
        using var response = await PostAsync(app, address, key, secret);
        return response.StatusCode;
    }
}
