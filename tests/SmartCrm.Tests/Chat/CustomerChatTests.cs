using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Chat;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tests.Knowledge;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Chat;

/// <summary>The customers' chat page: the assistant answers with its source, a person takes over through the chat inbox, agents' replies come back.</summary>
public sealed class CustomerChatTests(AssistantApps apps) : IClassFixture<AssistantApps>
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task The_assistant_answers_with_its_source_then_a_person_takes_over_through_the_chat_inbox_and_the_reply_reaches_the_chat(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var word = Builders.Unique("glimmer");
        var article = (await admin.CreateAsync("/api/v1/articles", new
        {
            title = $"Descaling the {word} kettle", language = "en",
            body = $"Fill the {word} kettle with white vinegar and boil it twice to descale it.\nRinse it three times with clean water afterwards.",
        })).Id();
        var email = Builders.Unique("visitor") + "@example.com";
        var customer = await admin.CreateCustomerAsync("Chat Customer", email);
        using var visitor = new ChatVisitor(app);

        (await visitor.IdentifyAsync("Mei Chen", email)).ShouldBe("/chat");
        (await visitor.SendAsync($"How do I descale the {word} kettle?")).ShouldBe("/chat");
        var page = await visitor.PageAsync();
        page.ShouldContain("white vinegar");
        page.ShouldContain($"data-source=\"{article}\"");
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer))).ShouldBe(0, "answered: nobody needed");

        // "Talk to a person" without a message hands over the last question, through the chat channel's inbox, triaged on arrival.
        (await visitor.SendAsync("", askPerson: true)).ShouldBe("/chat");
        var ticket = await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.CustomerId == customer));
        ticket.Channel.ShouldBe(CustomerChat.Channel);
        ticket.Subject.ShouldContain(word);
        (await app.WithDbAsync(db => db.TriageDecisions.AnyAsync(d => d.TicketId == ticket.Id))).ShouldBeTrue("triaged on arrival");
        (await visitor.PageAsync()).ShouldContain($"data-handoff=\"{ticket.Id}\"");

        (await visitor.SendAsync("This is urgent: the lid is <b>broken</b> too")).ShouldBe("/chat");
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticket.Id && m.Kind == MessageKind.Inbound))).ShouldBe(2, "threaded into the same ticket");

        var waiting = await admin.GetFromJsonAsync<JsonElement>("/api/v1/chats");
        var listed = waiting.EnumerateArray().Single(w => w.GetProperty("ticketId").GetInt64() == ticket.Id);
        listed.GetProperty("category").GetString().ShouldNotBeNullOrEmpty();
        listed.GetProperty("waiting").GetBoolean().ShouldBeTrue();

        var reply = await admin.PostAsJsonAsync($"/api/v1/chats/{ticket.Id}/replies", new { body = "Use <i>two</i> cups, we send a new lid.", articleId = article, close = true });
        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        page = await visitor.PageAsync();
        page.ShouldContain("Use &lt;i&gt;two&lt;/i&gt; cups, we send a new lid.");
        page.ShouldContain("white vinegar and boil it twice", Case.Sensitive, "the cited passage is in the reply");
        page.ShouldContain("&lt;b&gt;broken&lt;/b&gt;");
        page.ShouldNotContain("<b>broken</b>");
        page.ShouldContain("data-chat-closed");
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == ticket.Id))).Status.ShouldBe(TicketStatus.Closed);
        var resolved = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{article}/tickets?resolved=true");
        resolved.EnumerateArray().Select(t => t.GetProperty("ticketId").GetInt64()).ShouldBe([ticket.Id]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_visitor_who_types_a_customers_address_gets_a_ticket_of_their_own_and_never_reads_that_customers_conversation(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var email = Builders.Unique("owner") + "@example.com";
        var customer = await admin.CreateCustomerAsync("Real Owner", email);
        using var owner = new ChatVisitor(app);
        (await owner.IdentifyAsync("Real Owner", email)).ShouldBe("/chat");
        (await owner.SendAsync("My invoice " + Builders.Unique("number") + " is wrong", askPerson: true)).ShouldBe("/chat");
        var ticket = await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.CustomerId == customer));
        var secret = "Your new door code is " + Builders.Unique("4711");
        (await admin.PostAsJsonAsync($"/api/v1/chats/{ticket.Id}/replies", new { body = secret })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.PageAsync()).ShouldContain(secret);

        using var stranger = new ChatVisitor(app);
        (await stranger.IdentifyAsync("Not The Owner", email)).ShouldBe("/chat");
        (await stranger.SendAsync("What did you tell me before?", askPerson: true)).ShouldBe("/chat");

        (await stranger.PageAsync()).ShouldNotContain(secret);
        var tickets = await app.WithDbAsync(db => db.Tickets.Where(t => t.CustomerId == customer).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
        tickets.Count.ShouldBe(2, "the stranger's message opened a ticket of its own");
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticket.Id && m.Kind == MessageKind.Inbound))).ShouldBe(1, "nothing added to the owner's ticket");
        (await owner.SendAsync("Thanks, and the code works")).ShouldBe("/chat");
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.TicketId == ticket.Id && m.Kind == MessageKind.Inbound))).ShouldBe(2, "the owner's chat goes on on its own ticket");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_anonymous_visitor_handed_to_a_person_becomes_a_lead_with_their_name(Provider provider)
    {
        var app = apps.For(provider);
        using var visitor = new ChatVisitor(app);
        (await visitor.IdentifyAsync("Anon Ymous", null)).ShouldBe("/chat");
        (await visitor.SendAsync("Zyxqv " + Builders.Unique("nothing"))).ShouldBe("/chat");
        var page = await visitor.PageAsync();
        page.ShouldContain("data-handoff=");
        var ticket = await app.WithDbAsync(db => db.ChatSessions.Where(s => s.Name == "Anon Ymous").Join(db.Tickets, s => s.TicketId, t => (long?)t.Id, (s, t) => t).SingleAsync());
        var lead = await app.WithDbAsync(db => db.Customers.SingleAsync(c => c.Id == ticket.CustomerId));
        lead.Name.ShouldBe("Anon Ymous");
        lead.Tags.ShouldContain("lead");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_chat_handed_to_a_person_joins_the_queue_that_asks_for_its_category_like_any_channels_message(Provider provider)
    {
        // Triaged and routed in the message's own transaction, as the other channels are: before, a chat ticket was triaged after
        // it was stored and no category queue ever took it. An app of its own: the shared one's anonymous chat limit (20 a minute
        // for all its visitors) is spent by the other tests of this class.
        using var app = new CrmApp(provider);
        var admin = app.Admin();
        var queue = (await admin.CreateAsync("/api/v1/ticket-queues", new { name = Builders.Unique("Chat faults "), channel = "chat", category = "fault" })).Id();
        try
        {
            using var visitor = new ChatVisitor(app);
            var name = Builders.Unique("Broken Screen ");
            (await visitor.IdentifyAsync(name, null)).ShouldBe("/chat");
            (await visitor.SendAsync("The device does not turn on anymore, the screen is black", askPerson: true)).ShouldBe("/chat");
            var ticket = await app.WithDbAsync(db => db.ChatSessions.Where(s => s.Name == name).Join(db.Tickets, s => s.TicketId, t => (long?)t.Id, (s, t) => t).SingleAsync());
            (await app.WithDbAsync(db => db.TriageDecisions.SingleAsync(d => d.TicketId == ticket.Id))).Category.ShouldBe("fault");
            ticket.QueueId.ShouldBe(queue, "the queue asks for the category triage named");
        }
        finally
        {
            await admin.DeleteAsync($"/api/v1/ticket-queues/{queue}");
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Empty_huge_and_unprintable_messages_and_posts_without_the_antiforgery_token_are_refused_with_a_clear_error(Provider provider)
    {
        var app = apps.For(provider);
        using var visitor = new ChatVisitor(app);
        (await visitor.SendAsync("   ")).ShouldBe("/chat?problem=empty");
        (await visitor.SendAsync(new string('a', CustomerChat.MaxText + 1))).ShouldBe("/chat?problem=long");
        (await visitor.SendAsync("bell\u0007")).ShouldBe("/chat?problem=invalid");
        (await visitor.IdentifyAsync(null, "not-an-address")).ShouldBe("/chat?problem=email");
        (await visitor.Client.GetStringAsync("/chat?problem=long")).ShouldContain("The message is too long: at most 2,000 characters.");
        (await visitor.Client.GetStringAsync("/chat?problem=empty")).ShouldContain("Write something: the message is empty.");

        using var forged = await visitor.PostRawAsync("/chat/send", new() { ["text"] = "no token" }, withToken: false);
        forged.StatusCode.ShouldBe(HttpStatusCode.Redirect, "back to the chat page, not a bare 400");
        forged.Headers.Location!.ToString().ShouldBe("/chat?problem=expired");
        (await visitor.Client.GetStringAsync("/chat?problem=expired")).ShouldContain("This page had expired, so your message was not sent");
        using var notForm = await visitor.Client.PostAsync("/chat/send", new StringContent("{\"text\":\"json\"}", System.Text.Encoding.UTF8, "application/json"));
        notForm.Headers.Location!.ToString().ShouldBe("/chat?problem=expired");
        using var forgedIdentity = await visitor.PostRawAsync("/chat/identify", new() { ["email"] = "forged@example.com" }, withToken: false);
        forgedIdentity.Headers.Location!.ToString().ShouldBe("/chat?problem=expired");
        (await app.WithDbAsync(db => db.ChatSessions.CountAsync(s => s.Email == "forged@example.com"))).ShouldBe(0);
        (await app.WithDbAsync(db => db.ChatEntries.CountAsync(e => e.Body == "no token" || e.Body.StartsWith("bell") || e.Body.StartsWith("aaaa")))).ShouldBe(0);
    }

    [Fact]
    public async Task A_visitor_over_the_limit_is_sent_back_to_the_chat_page_which_says_to_wait_in_their_language()
    {
        using var app = new CrmApp();
        app.Settings["Assistant:AnonymousPerMinute"] = "2";
        using var visitor = new ChatVisitor(app);
        (await visitor.SendAsync("   ")).ShouldBe("/chat?problem=empty");
        (await visitor.SendAsync("   ")).ShouldBe("/chat?problem=empty");
        var text = "Over the limit " + Builders.Unique("third");
        using var refused = await visitor.PostRawAsync("/chat/send", new() { ["text"] = text }, withToken: true);
        refused.StatusCode.ShouldBe(HttpStatusCode.SeeOther, "the limiter's refusal of the page's form goes back to the page, not a bare 429");
        refused.Headers.Location!.ToString().ShouldBe("/chat?problem=busy");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        (await visitor.Client.GetStringAsync("/chat?problem=busy")).ShouldContain("Too many messages in a short time: your message was not sent.");
        visitor.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        (await visitor.Client.GetStringAsync("/chat?problem=busy")).ShouldContain("发送过于频繁");
        (await app.WithDbAsync(db => db.ChatEntries.CountAsync(e => e.Body == text))).ShouldBe(0);
        (await app.CreateClient().PostAsJsonAsync("/api/v1/assistant/ask", new { question = "still limited?" })).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests,
            "the API keeps its status: only the chat page's forms go back to the page");
    }

    [Fact]
    public async Task The_chat_page_speaks_chinese()
    {
        var app = apps.For(Provider.Sqlite);
        using var visitor = new ChatVisitor(app);
        visitor.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var page = await visitor.PageAsync();
        page.ShouldContain("在线客服");
        page.ShouldContain("转人工客服");
    }

    [Fact]
    public async Task Only_roles_that_work_tickets_open_the_chat_console_and_answer_or_mark_while_anyone_may_open_the_chat_page()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var ticket = (await admin.CreateAsync("/api/v1/tickets", new { customerId = await admin.CreateCustomerAsync(), kind = "Question", subject = "Chat access" })).Id();
        var (_, _, support) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var (_, _, sales) = await ConsoleSession.NewUserAsync(app, admin, Role.Sales);

        (await app.CreateClient().GetAsync("/chat")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await support.Client.GetAsync("/service/chat")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var denied = await sales.Client.GetAsync("/service/chat"))
        {
            denied.StatusCode.ShouldBe(HttpStatusCode.Redirect, "to the console's page that says why");
            (await sales.Client.GetAsync(denied.Headers.Location)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        using (var events = await sales.Client.GetAsync("/service/chat/events", HttpCompletionOption.ResponseHeadersRead)) events.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var events = await anonymous.GetAsync("/service/chat/events", HttpCompletionOption.ResponseHeadersRead)) events.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        using (var events = await anonymous.GetAsync("/chat/events", HttpCompletionOption.ResponseHeadersRead)) events.StatusCode.ShouldBe(HttpStatusCode.NoContent, "no chat, nothing to watch");

        foreach (var role in new[] { Role.Sales, Role.Analyst, Role.ReadOnly })
        {
            var client = app.ClientAs(role);
            (await client.PostAsJsonAsync($"/api/v1/chats/{ticket}/replies", new { body = "hi" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync("/api/v1/chats/lines/1/mark", new { helpful = true })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync("/api/v1/assistant/feedback", new { question = "q", articleId = 1, passage = "p", helpful = true })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync("/api/v1/articles/1/tickets", new { ticketId = ticket })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        var supportKey = app.ClientAs(Role.Support);
        (await supportKey.PostAsJsonAsync($"/api/v1/chats/{ticket}/replies", new { body = "hello" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await supportKey.PostAsJsonAsync($"/api/v1/chats/{ticket}/replies", new { body = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_live_view_of_a_chat_sends_its_stamp_as_a_server_sent_event()
    {
        var app = apps.For(Provider.Sqlite);
        using var visitor = new ChatVisitor(app);
        (await visitor.SendAsync("Zyxqv " + Builders.Unique("live"))).ShouldBe("/chat");
        using var response = await visitor.Client.GetAsync("/chat/events", HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.StartsWith("data: ", StringComparison.Ordinal)) { }
        line.ShouldNotBeNull();
        line.ShouldEndWith(".New");
    }
}
