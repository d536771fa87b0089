using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Web;

/// <summary>The console's answers where a person lands somewhere unexpected: unknown pages, pages they may not see, addresses from elsewhere.</summary>
public sealed class ConsolePagesTests(Apps apps) : IClassFixture<Apps>
{
    private HttpClient Browser() => apps.For(Provider.Sqlite).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/customers/1/no-such-tab")]
    [InlineData("/error/500")]
    public async Task Unknown_console_addresses_answer_an_html_page_with_404(string path)
    {
        var response = await Browser().GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("Page not found");
    }

    [Theory]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/api/v1/customers/1/no-such-tab")]
    public async Task Unknown_api_addresses_keep_answering_problem_json(string path)
    {
        var response = await apps.For(Provider.Sqlite).Admin().GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_page_the_role_may_not_see_answers_403_with_an_explanation()
    {
        var app = apps.For(Provider.Sqlite);
        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Accounts>().CreateUserAsync("reader", "reader-password", Role.ReadOnly, null, CancellationToken.None);
        }
        var browser = Browser();
        (await ConsoleLogin.SignInAsync(browser, "reader", "reader-password")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var form = await browser.GetAsync("/customers/new");
        form.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var denied = await browser.GetAsync(form.Headers.Location);

        denied.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        denied.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await denied.Content.ReadAsStringAsync()).ShouldContain("Your role does not allow this page.");
    }

    [Fact]
    public async Task Every_console_list_says_which_rows_it_shows_and_pages_on_the_server()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var customer = await admin.CreateCustomerAsync();
        for (var i = 0; i < 27; i++) await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = $"Paging question {i:D2}" });
        var browser = await SignedInAsync("admin", CrmApp.AdminPassword);

        foreach (var list in new[] { "/customers", "/tickets", "/devices", "/alarms", "/imports", "/customers/duplicates", "/pipeline" })
        {
            (await browser.GetStringAsync(list)).ShouldContain("data-showing", customMessage: list);
        }
        var second = await browser.GetStringAsync("/tickets?kind=Question&sort=-id&page=2");
        second.ShouldContain("Showing 26–27 of 27");
        second.ShouldContain("Paging question 01");
        second.ShouldNotContain("Paging question 26", customMessage: "newest first: the last two questions are on page 2, the rest on page 1");
    }

    [Theory]
    [InlineData("Asia/Shanghai", "Times in Asia/Shanghai (UTC+08:00)", "2030-01-01 12:00")]
    [InlineData("America/New_York", "Times in America/New_York (UTC-0", "2029-12-31 23:00")]
    [InlineData("<b>Mars</b>", "Times in UTC", "2030-01-01 04:00")]
    public async Task Times_are_shown_in_the_zone_the_browser_sent_and_the_page_names_it(string zone, string label, string due)
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var customer = await admin.CreateCustomerAsync();
        var ticket = await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Fault", subject = "Zone check", dueAt = new DateTime(2030, 1, 1, 4, 0, 0, DateTimeKind.Utc) });
        var browser = await SignedInAsync("admin", CrmApp.AdminPassword);
        browser.DefaultRequestHeaders.Add("Cookie", ".SmartCrm.TimeZone=" + Uri.EscapeDataString(zone));

        var html = WebUtility.HtmlDecode(await browser.GetStringAsync("/tickets?sort=-id"));

        html.ShouldContain(label);
        html.ShouldContain($"<time datetime=\"2030-01-01T04:00:00Z\"");
        html.ShouldContain($">{due}</time>");
        html.ShouldNotContain("<b>Mars</b>", customMessage: "a zone the system does not know is never written into the page");
        ticket.GetProperty("id").GetInt64().ShouldBeGreaterThan(0);
    }

    private async Task<HttpClient> SignedInAsync(string user, string password)
    {
        var browser = apps.For(Provider.Sqlite).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        (await ConsoleLogin.SignInAsync(browser, user, password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return browser;
    }

    [Theory]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task Language_links_only_return_to_console_pages(string returnUrl)
    {
        var response = await Browser().GetAsync("/culture?name=zh-Hans&returnUrl=" + Uri.EscapeDataString(returnUrl));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/");
    }

    [Fact]
    public async Task Sign_in_only_returns_to_console_pages()
    {
        var response = await ConsoleLogin.SignInAsync(Browser(), "admin", CrmApp.AdminPassword, "//evil.example/steal");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/");
    }

    [Fact]
    public async Task Blank_email_and_phone_are_saved_as_absent_through_the_api_too()
    {
        var admin = apps.For(Provider.Sqlite).Admin();

        var created = await admin.PostAsJsonAsync("/api/v1/customers", new { name = "No Contact Details", email = "", phone = " " });

        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var customer = await created.Content.ReadFromJsonAsync<JsonElement>();
        customer.GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
        customer.GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
        var contact = await admin.PostAsJsonAsync("/api/v1/contacts", new { customerId = customer.GetProperty("id").GetInt64(), name = "Front Desk", email = "", phone = "" });
        contact.StatusCode.ShouldBe(HttpStatusCode.Created, await contact.Content.ReadAsStringAsync());
        var invalid = await admin.PostAsJsonAsync("/api/v1/customers", new { name = "Bad Email", email = "not-an-address" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a value that is there is still checked");
        (await invalid.Content.ReadAsStringAsync()).ShouldContain("email");
    }
}
