using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Knowledge;

/// <summary>Which tickets each article resolved: an article used on a ticket counts once the ticket is resolved or closed.</summary>
public sealed class ArticleTicketsTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task An_article_used_on_a_ticket_resolved_it_once_the_ticket_is_closed_in_the_api_and_on_the_article_page(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var article = (await admin.CreateAsync("/api/v1/articles", new { title = "Billing", language = "en", body = "Invoices are under Orders." })).Id();
        var ticket = (await admin.CreateAsync("/api/v1/tickets", new { customerId = await admin.CreateCustomerAsync(), kind = "Question", subject = "Where is my invoice?" })).Id();

        var used = await admin.PostAsJsonAsync($"/api/v1/articles/{article}/tickets", new { ticketId = ticket });
        used.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"/api/v1/articles/{article}/tickets", new { ticketId = ticket })).StatusCode.ShouldBe(HttpStatusCode.OK, "a second use of the same pair is the same use");
        (await Tickets(admin, article, "?resolved=true")).ShouldBeEmpty("still open");
        (await Tickets(admin, article, "")).ShouldBe([ticket]);

        (await admin.PostAsJsonAsync($"/api/v1/tickets/{ticket}/status", new { status = "Closed" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Tickets(admin, article, "?resolved=true")).ShouldBe([ticket]);

        var session = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        (await session.Client.GetStringAsync($"/knowledge/{article}")).ShouldContain($"data-resolved-ticket=\"{ticket}\"");
    }

    [Fact]
    public async Task Recording_an_article_on_a_ticket_that_does_not_exist_names_the_field()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var article = (await admin.CreateAsync("/api/v1/articles", new { title = "T", language = "en", body = "B" })).Id();
        var response = await admin.PostAsJsonAsync($"/api/v1/articles/{article}/tickets", new { ticketId = 987654321 });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("ticketId");
        (await admin.GetAsync("/api/v1/articles/987654321/tickets")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task<List<long>> Tickets(HttpClient client, long article, string query) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{article}/tickets{query}")).EnumerateArray().Select(t => t.GetProperty("ticketId").GetInt64()).ToList();
}
