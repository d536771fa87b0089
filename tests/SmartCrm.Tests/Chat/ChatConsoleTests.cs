using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Chat;
using SmartCrm.Knowledge;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tests.Knowledge;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Chat;

/// <summary>The agents' chat console on the server: the waiting chat with triage's reasons, marks on the assistant's answers, an answer citing an article that closes the ticket.</summary>
public sealed partial class ChatConsoleTests(AssistantApps apps) : IClassFixture<AssistantApps>
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    private static async Task PostFormAsync(ConsoleSession session, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await session.SignOutTokenAsync();
        using var response = await session.Client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_agent_sees_the_chat_triaged_marks_the_assistants_answer_and_answers_citing_an_article_which_then_resolved_the_ticket(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var word = Builders.Unique("plonk");
        var article = (await admin.CreateAsync("/api/v1/articles", new
        {
            title = $"Resetting the {word} hub", language = "en",
            body = $"To reset the {word} hub, hold its button for fifteen seconds until the light flashes white.",
        })).Id();
        using var visitor = new ChatVisitor(app);
        await visitor.SendAsync($"How do I reset the {word} hub?");
        await visitor.SendAsync($"Urgent: the {word} hub still does not work, the heating stopped", askPerson: true);
        var session = await app.WithDbAsync(db => db.ChatEntries.Where(e => e.Kind == ChatEntryKind.Assistant && e.ArticleId == article)
            .Join(db.ChatSessions, e => e.SessionId, s => s.Id, (e, s) => new { Entry = e.Id, Ticket = s.TicketId }).SingleAsync());
        var ticket = session.Ticket!.Value;

        var (_, agent, support) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var page = await support.Client.GetStringAsync($"/service/chat?ticket={ticket}");
        page.ShouldContain($"data-chat-ticket=\"{ticket}\"");
        page.ShouldContain("data-category=");
        Reasons().IsMatch(page).ShouldBeTrue("the priority's reasons are listed with the chat");
        page.ShouldContain("data-mark=\"" + session.Entry + "\"");

        await PostFormAsync(support, $"/service/chat?ticket={ticket}", new() { ["_handler"] = "mark", ["Mark"] = $"{session.Entry}:true" });
        var feedback = await app.WithDbAsync(db => db.AnswerFeedback.SingleAsync(f => f.ArticleId == article));
        (feedback.Helpful, feedback.GivenBy, feedback.Question).ShouldBe((true, agent, $"How do I reset the {word} hub?"));

        await PostFormAsync(support, $"/service/chat?ticket={ticket}", new() { ["_handler"] = "reply", ["Body"] = "Try this:", ["ArticleId"] = article.ToString(), ["CloseAfter"] = "true" });
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == ticket))).Status.ShouldBe(TicketStatus.Closed);
        var reply = await app.WithDbAsync(db => db.TicketMessages.SingleAsync(m => m.TicketId == ticket && m.Kind == MessageKind.Reply));
        (reply.Author, reply.Body).ShouldBe((agent, $"Try this:\n\nTo reset the {word} hub, hold its button for fifteen seconds until the light flashes white."));
        (await visitor.PageAsync()).ShouldContain("Try this:");

        var use = await app.WithDbAsync(db => db.ArticleUses.SingleAsync(u => u.ArticleId == article));
        (use.TicketId, use.Via).ShouldBe((ticket, ArticleUseVia.Assistant), "the helpful mark came first; the agent's citation of the same article is the same use");
        var articlePage = await support.Client.GetStringAsync($"/knowledge/{article}");
        articlePage.ShouldContain($"data-resolved-ticket=\"{ticket}\"");
        articlePage.ShouldContain("Agents marked its answers helpful 1 times, not helpful 0 times.");
    }

    [Fact]
    public async Task Agents_see_that_a_chat_identity_was_typed_by_the_visitor_on_the_console_and_the_ticket_page_and_not_on_other_tickets()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var email = Builders.Unique("claimed") + "@example.com";
        var customer = await admin.CreateCustomerAsync("Claimed Owner", email);
        using var visitor = new ChatVisitor(app);
        (await visitor.IdentifyAsync("Claimed Owner", email)).ShouldBe("/chat");
        (await visitor.SendAsync("Please read me my account " + Builders.Unique("balance"), askPerson: true)).ShouldBe("/chat");
        var chat = await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.CustomerId == customer));
        var other = (await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Phoned in" })).Id();

        var (_, _, support) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var console = await support.Client.GetStringAsync($"/service/chat?ticket={chat.Id}");
        console.ShouldContain("data-unverified");
        console.ShouldContain("Unverified identity");
        (await support.Client.GetStringAsync($"/tickets/{chat.Id}")).ShouldContain("nothing proves they are this customer");
        (await support.Client.GetStringAsync($"/tickets/{other}")).ShouldNotContain("data-unverified");
        support.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        (await support.Client.GetStringAsync($"/service/chat?ticket={chat.Id}")).ShouldContain("身份未验证");
    }

    [Fact]
    public async Task A_role_without_tickets_write_cannot_answer_through_the_console_form()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var ticket = (await admin.CreateAsync("/api/v1/tickets", new { customerId = await admin.CreateCustomerAsync(), kind = "Question", subject = "No chat for sales" })).Id();
        var (_, _, sales) = await ConsoleSession.NewUserAsync(app, admin, Role.Sales);
        await PostFormAsync(sales, $"/service/chat?ticket={ticket}", new() { ["_handler"] = "reply", ["Body"] = "sneaky", ["CloseAfter"] = "true" });
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticket))).ShouldBe(0);
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == ticket))).Status.ShouldBe(TicketStatus.New);
    }

    [GeneratedRegex(@"data-reasons[^>]*>.*?<strong>(\+|&#x2B;)\d+</strong>", RegexOptions.Singleline)]
    private static partial Regex Reasons();
}
