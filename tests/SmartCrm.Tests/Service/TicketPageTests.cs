using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Service;

/// <summary>The ticket page on the server: who may act on it, and text shown as text.</summary>
public sealed partial class TicketPageTests(Apps apps) : IClassFixture<Apps>
{
    private static async Task<HttpResponseMessage> PostFormAsync(ConsoleSession session, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await session.SignOutTokenAsync();
        return await session.Client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task A_role_without_tickets_write_sees_the_conversation_but_its_posted_reply_is_not_stored()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var ticket = (await admin.CreateAsync("/api/v1/tickets", new { customerId = await admin.CreateCustomerAsync(), kind = "Question", subject = "Read only" })).Id();
        var (_, _, sales) = await ConsoleSession.NewUserAsync(app, admin, Role.Sales);

        var page = await sales.Client.GetStringAsync($"/tickets/{ticket}");
        page.ShouldContain("data-conversation");
        page.ShouldNotContain("name=\"Body\"", Case.Sensitive, "no reply form for this role");
        await PostFormAsync(sales, $"/tickets/{ticket}", new() { ["_handler"] = "message", ["Body"] = "sneaky", ["Visibility"] = "reply" });
        await PostFormAsync(sales, $"/tickets/{ticket}", new() { ["_handler"] = "status", ["NewStatus"] = "Closed" });

        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticket))).ShouldBe(0);
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == ticket))).Status.ShouldBe(SmartCrm.Tickets.TicketStatus.New);
    }

    [Fact]
    public async Task An_agent_replies_from_the_page_and_markup_in_the_reply_is_shown_as_text()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var ticket = (await admin.CreateAsync("/api/v1/tickets", new { customerId = await admin.CreateCustomerAsync(), kind = "Complaint", subject = "Markup" })).Id();
        var (_, agent, support) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);

        await PostFormAsync(support, $"/tickets/{ticket}", new() { ["_handler"] = "message", ["Body"] = "<script>alert(1)</script> fixed", ["Visibility"] = "reply", ["Then"] = "Pending" });

        var stored = await app.WithDbAsync(db => db.TicketMessages.SingleAsync(m => m.TicketId == ticket));
        (stored.Author, stored.Body).ShouldBe((agent, "<script>alert(1)</script> fixed"));
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == ticket))).Status.ShouldBe(SmartCrm.Tickets.TicketStatus.Pending);
        var page = await support.Client.GetStringAsync($"/tickets/{ticket}");
        page.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt; fixed");
        page.ShouldNotContain("<script>alert(1)</script>");
        Paused().IsMatch(page).ShouldBeTrue("the SLA card shows the clocks standing still");
    }

    [Fact]
    public async Task An_unknown_ticket_is_a_404_page()
    {
        var app = apps.For(Provider.Sqlite);
        var session = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        (await session.Client.GetAsync("/tickets/987654321")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [GeneratedRegex("data-sla-resolution=\"Paused\"")]
    private static partial Regex Paused();
}
