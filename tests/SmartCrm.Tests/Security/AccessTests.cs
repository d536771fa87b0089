using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Security;

public sealed class AccessTests(Apps apps) : IClassFixture<Apps>
{
    private CrmApp App => apps.For(Provider.Sqlite);

    [Fact]
    public async Task The_api_answers_401_without_credentials_and_with_an_unknown_key()
    {
        var anonymous = App.CreateClient();
        var response = await anonymous.GetAsync("/api/v1/customers");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "scrm_not-a-real-key");
        (await anonymous.GetAsync("/api/v1/customers")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(Role.ReadOnly, "/api/v1/customers", HttpStatusCode.Forbidden)]
    [InlineData(Role.Analyst, "/api/v1/tickets", HttpStatusCode.Forbidden)]
    [InlineData(Role.Sales, "/api/v1/tickets", HttpStatusCode.Forbidden)]
    [InlineData(Role.Support, "/api/v1/opportunities", HttpStatusCode.Forbidden)]
    [InlineData(Role.Support, "/api/v1/tickets", HttpStatusCode.Created)]
    [InlineData(Role.Sales, "/api/v1/opportunities", HttpStatusCode.Created)]
    [InlineData(Role.Sales, "/api/v1/campaigns", HttpStatusCode.Created)]
    [InlineData(Role.Manager, "/api/v1/campaigns", HttpStatusCode.Created)]
    [InlineData(Role.Support, "/api/v1/campaigns", HttpStatusCode.Forbidden)]
    [InlineData(Role.Analyst, "/api/v1/campaigns", HttpStatusCode.Forbidden)]
    [InlineData(Role.ReadOnly, "/api/v1/campaigns", HttpStatusCode.Forbidden)]
    public async Task Each_role_may_write_only_what_its_permissions_allow(Role role, string path, HttpStatusCode expected)
    {
        var customer = await App.Admin().CreateCustomerAsync();
        var body = path.EndsWith("tickets", StringComparison.Ordinal)
            ? (object)new { customerId = customer, kind = "Question", subject = "q" }
            : path.EndsWith("opportunities", StringComparison.Ordinal) ? new { customerId = customer, title = "deal" }
            : path.EndsWith("campaigns", StringComparison.Ordinal) ? new { name = "Spring", channel = "Email", variants = new[] { new { name = "A", message = "Hello" } } }
            : new { name = "New" };
        var response = await App.ClientAs(role).PostAsJsonAsync(path, body);
        response.StatusCode.ShouldBe(expected);
    }

    [Fact]
    public async Task Read_only_keys_read_but_cannot_delete_or_see_the_audit_log()
    {
        var customer = await App.Admin().CreateCustomerAsync();
        var reader = App.ClientAs(Role.ReadOnly);
        (await reader.GetAsync($"/api/v1/customers/{customer}/360")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.DeleteAsync($"/api/v1/customers/{customer}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await reader.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await reader.GetAsync("/api/v1/users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Api_keys_are_stored_hashed_never_in_clear()
    {
        var response = await App.Admin().PostAsJsonAsync("/api/v1/apikeys", new { name = "integration", role = "Sales" });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var key = (await response.ReadAsync<System.Text.Json.JsonElement>()).GetProperty("key").GetString()!;
        var stored = await App.WithDbAsync(db => Task.FromResult(db.ApiKeys.Single(k => k.Name == "integration")));
        stored.Hash.ShouldNotContain(key);
        stored.Hash.ShouldBe(ApiKeyAuthentication.Hash(key));

        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await client.GetAsync("/api/v1/customers")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Console_pages_send_people_to_the_login_page_and_a_correct_password_lets_them_in()
    {
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await browser.GetAsync("/customers");
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain("/login");

        var wrong = await ConsoleLogin.SignInAsync(browser, "admin", "wrong password");
        wrong.Headers.Location!.ToString().ShouldContain("failed=1");
        (await browser.GetAsync("/customers")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var right = await ConsoleLogin.SignInAsync(browser, "admin", CrmApp.AdminPassword, "/customers");
        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        right.Headers.Location!.ToString().ShouldBe("/customers");
        var list = await browser.GetAsync("/customers");
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync()).ShouldContain("New customer");
    }

    [Fact]
    public async Task Login_refuses_a_post_without_the_antiforgery_token()
    {
        var response = await App.CreateClient().PostAsync("/account/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["userName"] = "admin", ["password"] = CrmApp.AdminPassword }));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Login_is_throttled_after_ten_tries_a_minute()
    {
        // An app of its own: the limit is per address, and the other tests of this class log in too.
        using var app = new CrmApp();
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add((await ConsoleLogin.SignInAsync(browser, "admin", "guess " + i)).StatusCode);
        statuses.Take(10).ShouldAllBe(s => s == HttpStatusCode.Redirect);
        statuses.Skip(10).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        // Even the right password waits out the window.
        (await ConsoleLogin.SignInAsync(browser, "admin", CrmApp.AdminPassword)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }
}
