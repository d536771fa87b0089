using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Security;

/// <summary>Access can be taken away: keys revoked, users deactivated or demoted, sessions ended, each on the next request.</summary>
public sealed class RevocationTests(Apps apps, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<Apps>
{
    private CrmApp App => apps.For(Provider.Sqlite);

    [Fact]
    public async Task Api_keys_are_listed_without_the_key_and_a_revoked_key_fails_on_the_next_request()
    {
        var admin = App.Admin();
        var (id, key) = await NewKeyAsync(admin, "billing-sync", Role.Sales);
        var program = KeyClient(key);
        (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.OK);

        var list = await admin.GetAsync("/api/v1/apikeys");
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await list.Content.ReadAsStringAsync();
        text.ShouldNotContain(key);
        text.ShouldNotContain(ApiKeyAuthentication.Hash(key));
        var listed = JsonDocument.Parse(text).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetInt64() == id);
        listed.GetProperty("name").GetString().ShouldBe("billing-sync");
        listed.GetProperty("role").GetString().ShouldBe("Sales");
        listed.GetProperty("prefix").GetString().ShouldBe(key[..12]);
        listed.GetProperty("createdAt").GetDateTime().ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-5));
        listed.GetProperty("lastUsedAt").ValueKind.ShouldBe(JsonValueKind.String, "the key was used once");
        listed.TryGetProperty("key", out _).ShouldBeFalse();
        listed.TryGetProperty("hash", out _).ShouldBeFalse();

        (await admin.DeleteAsync($"/api/v1/apikeys/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.Unauthorized, "revoked: refused on the very next request");
        var revoked = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/apikeys")).EnumerateArray().Single(k => k.GetProperty("id").GetInt64() == id);
        revoked.GetProperty("revokedAt").ValueKind.ShouldBe(JsonValueKind.String);

        var unknown = await admin.DeleteAsync("/api/v1/apikeys/987654");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await App.ClientAs(Role.Manager).DeleteAsync($"/api/v1/apikeys/{id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_key_revoked_in_the_database_stops_working_within_five_seconds()
    {
        var (id, key) = await NewKeyAsync(App.Admin(), "revoked-elsewhere", Role.ReadOnly);
        var program = KeyClient(key);
        (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.OK);

        // As another node, or a database administrator, would revoke it: this node's cache is not told.
        await App.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, DateTime.UtcNow)));
        var elapsed = await UntilAsync(() => ConsoleSession.ReadsCustomersAsync(program), HttpStatusCode.Unauthorized);
        output.WriteLine($"refused {elapsed.TotalMilliseconds:0} ms after the database said so");
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Last_use_is_written_at_most_once_a_minute_not_on_every_request()
    {
        var admin = App.Admin();
        var (id, key) = await NewKeyAsync(admin, "busy-integration", Role.ReadOnly);
        var program = KeyClient(key);
        (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.OK);
        var first = await LastUsedAsync(admin, id);
        first.ShouldNotBeNull();
        for (var i = 0; i < 5; i++) (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.OK);
        (await LastUsedAsync(admin, id)).ShouldBe(first);
    }

    [Fact]
    public async Task A_key_stops_working_when_it_expires_and_cannot_be_made_expired()
    {
        var admin = App.Admin();
        var past = await admin.PostAsJsonAsync("/api/v1/apikeys", new { name = "late", role = "ReadOnly", expiresAt = DateTime.UtcNow.AddMinutes(-1) });
        past.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await past.Content.ReadAsStringAsync()).ShouldContain("expiresAt");

        var created = await admin.CreateAsync("/api/v1/apikeys", new { name = "short-lived", role = "ReadOnly", expiresAt = DateTime.UtcNow.AddSeconds(2) });
        var program = KeyClient(created.GetProperty("key").GetString()!);
        (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.OK);
        await UntilAsync(() => ConsoleSession.ReadsCustomersAsync(program), HttpStatusCode.Unauthorized, seconds: 10);
    }

    [Fact]
    public async Task Deactivating_a_user_ends_their_console_session_on_the_next_request()
    {
        var admin = App.Admin();
        var (id, _, session) = await ConsoleSession.NewUserAsync(App, admin, Role.Sales);
        (await ConsoleSession.CreatesCustomerAsync(session.Client)).ShouldBe(HttpStatusCode.Created);

        var patch = await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { active = false });
        patch.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await patch.ReadAsync<JsonElement>()).GetProperty("active").GetBoolean().ShouldBeFalse();

        (await ConsoleSession.CreatesCustomerAsync(session.Client)).ShouldBe(HttpStatusCode.Unauthorized);
        var page = await session.Client.GetAsync("/customers");
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain("/login");

        // Active again: the ended session stays ended, signing in again works.
        (await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { active = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.ReadsCustomersAsync(session.Client)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_user_deactivated_in_the_database_loses_access_within_five_seconds()
    {
        var (id, _, session) = await ConsoleSession.NewUserAsync(App, App.Admin(), Role.Sales);
        (await ConsoleSession.ReadsCustomersAsync(session.Client)).ShouldBe(HttpStatusCode.OK);
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Active, false)));
        var elapsed = await UntilAsync(() => ConsoleSession.ReadsCustomersAsync(session.Client), HttpStatusCode.Unauthorized);
        output.WriteLine($"refused {elapsed.TotalMilliseconds:0} ms after the database said so");
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_demoted_user_loses_the_permissions_of_the_old_role_at_once()
    {
        var admin = App.Admin();
        var (id, _, session) = await ConsoleSession.NewUserAsync(App, admin, Role.Sales);
        (await ConsoleSession.CreatesCustomerAsync(session.Client)).ShouldBe(HttpStatusCode.Created);

        (await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { role = "ReadOnly" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.CreatesCustomerAsync(session.Client)).ShouldBe(HttpStatusCode.Forbidden);
        (await ConsoleSession.ReadsCustomersAsync(session.Client)).ShouldBe(HttpStatusCode.OK, "still signed in, with the new role's rights");

        (await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { role = "Manager" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await session.Client.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.OK, "a promotion takes effect as promptly");
    }

    [Fact]
    public async Task Sign_out_needs_the_antiforgery_token_and_ends_the_session_on_the_server()
    {
        var (_, _, session) = await ConsoleSession.NewUserAsync(App, App.Admin(), Role.Support);
        var saved = session.SessionCookie;

        var forged = await session.SignOutAsync(withAntiforgeryToken: false);
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a cross-site form must not sign people out");
        (await ConsoleSession.ReadsCustomersAsync(session.Client)).ShouldBe(HttpStatusCode.OK);

        var signedOut = await session.SignOutAsync();
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedOut.Headers.Location!.ToString().ShouldBe("/login");
        (await ConsoleSession.ReadsCustomersAsync(ConsoleSession.Replay(App, saved))).ShouldBe(HttpStatusCode.Unauthorized, "a cookie saved before sign-out is dead");
    }

    [Fact]
    public async Task Changing_a_password_ends_the_users_other_sessions_but_not_the_one_that_changed_it()
    {
        var admin = App.Admin();
        var (id, userName, laptop) = await ConsoleSession.NewUserAsync(App, admin, Role.Admin);
        using var phone = await ConsoleSession.SignInAsync(App, userName, "password-" + userName);

        var changed = await laptop.Client.PatchAsJsonAsync($"/api/v1/users/{id}", new { password = "a-new-password" });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.ReadsCustomersAsync(laptop.Client)).ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.ReadsCustomersAsync(phone.Client)).ShouldBe(HttpStatusCode.Unauthorized);

        // An administrator resetting it ends every session of that user.
        (await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { password = "reset-by-admin" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.ReadsCustomersAsync(laptop.Client)).ShouldBe(HttpStatusCode.Unauthorized);
        using var again = await ConsoleSession.SignInAsync(App, userName, "reset-by-admin");
        (await ConsoleSession.ReadsCustomersAsync(again.Client)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_deleted_user_cannot_come_back_through_an_old_cookie_even_under_the_same_name()
    {
        var admin = App.Admin();
        var (id, userName, session) = await ConsoleSession.NewUserAsync(App, admin, Role.Sales);
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == id).ExecuteDeleteAsync());
        (await admin.PostAsJsonAsync("/api/v1/users", new { userName, password = "someone-else-entirely", role = "Admin" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ConsoleSession.ReadsCustomersAsync(session.Client)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Patching_a_user_checks_its_fields_and_names_them()
    {
        var admin = App.Admin();
        var (id, _, _) = await ConsoleSession.NewUserAsync(App, admin, Role.Sales);
        var shortPassword = await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { password = "short" });
        shortPassword.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await shortPassword.Content.ReadAsStringAsync()).ShouldContain("password");
        var badRole = await admin.PatchAsync($"/api/v1/users/{id}", JsonContent.Create(new { role = "Wizard" }));
        badRole.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PatchAsJsonAsync("/api/v1/users/987654", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await App.ClientAs(Role.Manager).PatchAsJsonAsync($"/api/v1/users/{id}", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ConsoleSession.UserAsync(admin, id)).GetProperty("active").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task The_last_active_admin_stays_and_no_one_deactivates_or_demotes_themselves()
    {
        using var app = new CrmApp();
        var admin = app.Admin();
        var only = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/users")).EnumerateArray().Single(u => u.GetProperty("userName").GetString() == "admin");
        var id = only.GetProperty("id").GetInt64();

        var deactivate = await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { active = false });
        deactivate.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await deactivate.Content.ReadAsStringAsync()).ShouldContain("active");
        var demote = await admin.PatchAsJsonAsync($"/api/v1/users/{id}", new { role = "Manager" });
        demote.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await demote.Content.ReadAsStringAsync()).ShouldContain("role");

        // With a second admin the first may go, but not by their own hand.
        var (secondId, _, second) = await ConsoleSession.NewUserAsync(app, admin, Role.Admin);
        var self = await second.Client.PatchAsJsonAsync($"/api/v1/users/{secondId}", new { active = false });
        self.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await self.Content.ReadAsStringAsync()).ShouldContain("active");
        (await second.Client.PatchAsJsonAsync($"/api/v1/users/{secondId}", new { role = "Sales" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await second.Client.PatchAsJsonAsync($"/api/v1/users/{id}", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsoleLogin.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), "admin", CrmApp.AdminPassword)).Headers.Location!.ToString()
            .ShouldContain("failed=1");
    }

    [Fact]
    public async Task Revocation_deactivation_demotion_and_token_rotation_reach_every_node_within_five_seconds()
    {
        if (PostgresDatabase.SkipReason is { } reason)
        {
            Console.WriteLine("Skipping: " + reason);
            return;
        }
        // Two nodes on one PostgreSQL database; they share the data-protection keys (as nodes must, for cookies to work on both).
        using var first = new CrmApp(Provider.Postgres);
        using var second = new CrmApp();
        second.Settings["Storage:Database"] = first.DatabaseConnectionString;
        second.Settings["Storage:DataDirectory"] = first.DataDirectory;
        var admin = first.Admin();
        var (keyId, key) = await NewKeyAsync(admin, "two-nodes", Role.Sales);
        var (userId, userName, _) = await ConsoleSession.NewUserAsync(first, admin, Role.Sales);
        var (demotedId, demotedName, _) = await ConsoleSession.NewUserAsync(first, admin, Role.Sales);
        var (deviceId, token) = await admin.CreateDeviceAsync();

        var keyOnSecond = second.CreateClient();
        keyOnSecond.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var userOnSecond = await ConsoleSession.SignInAsync(second, userName, "password-" + userName);
        using var demotedOnSecond = await ConsoleSession.SignInAsync(second, demotedName, "password-" + demotedName);
        (await ConsoleSession.ReadsCustomersAsync(keyOnSecond)).ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.ReadsCustomersAsync(userOnSecond.Client)).ShouldBe(HttpStatusCode.OK);
        (await ConsoleSession.CreatesCustomerAsync(demotedOnSecond.Client)).ShouldBe(HttpStatusCode.Created);
        await second.SendTelemetryAsync(token, "{\"t\":1}");

        (await admin.DeleteAsync($"/api/v1/apikeys/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await admin.PatchAsJsonAsync($"/api/v1/users/{userId}", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsJsonAsync($"/api/v1/users/{demotedId}", new { role = "ReadOnly" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var clock = Stopwatch.StartNew();
        await UntilAsync(() => ConsoleSession.ReadsCustomersAsync(keyOnSecond), HttpStatusCode.Unauthorized);
        await UntilAsync(() => ConsoleSession.ReadsCustomersAsync(userOnSecond.Client), HttpStatusCode.Unauthorized);
        await UntilAsync(() => ConsoleSession.CreatesCustomerAsync(demotedOnSecond.Client), HttpStatusCode.Forbidden);
        output.WriteLine($"key, user and role refused on the second node {clock.Elapsed.TotalMilliseconds:0} ms after the first node made the changes");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "all three reached the second node within five seconds");

        (await admin.PostAsync($"/api/v1/devices/{deviceId}/token", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var rotation = await UntilAsync(async () =>
        {
            using var response = await second.CreateClient().PostAsync($"/api/v1/{token}/telemetry", new StringContent("{\"t\":2}"));
            return response.StatusCode;
        }, HttpStatusCode.Unauthorized);
        output.WriteLine($"old device token refused on the second node {rotation.TotalMilliseconds:0} ms after rotation");
        // Device tokens are cached 5 s (every device message looks its token up); the probe's own requests add a little.
        rotation.ShouldBeLessThan(TimeSpan.FromSeconds(6));
    }

    private static async Task<(long Id, string Key)> NewKeyAsync(HttpClient admin, string name, Role role)
    {
        var created = await admin.CreateAsync("/api/v1/apikeys", new { name, role = role.ToString() });
        return (created.Id(), created.GetProperty("key").GetString()!);
    }

    private HttpClient KeyClient(string key)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<DateTime?> LastUsedAsync(HttpClient admin, long id)
    {
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/apikeys")).EnumerateArray().Single(k => k.GetProperty("id").GetInt64() == id);
        return listed.TryGetProperty("lastUsedAt", out var at) && at.ValueKind == JsonValueKind.String ? at.GetDateTime() : null;
    }

    /// <summary>Asks until the answer is <paramref name="expected"/>; returns how long that took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<HttpStatusCode>> probe, HttpStatusCode expected, int seconds = 15)
    {
        var clock = Stopwatch.StartNew();
        await Eventually.HoldsAsync(probe, status => status == expected, $"answer {expected}", seconds);
        return clock.Elapsed;
    }
}
