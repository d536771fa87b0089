using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Service;

/// <summary>The ticket desk through its API: conversation, SLA clocks that pause, assignment, status, satisfaction, permissions.</summary>
public sealed class TicketDeskTests(DeskApps apps) : IClassFixture<DeskApps>
{
    private static async Task<long> TicketAsync(HttpClient api, long customer, string priority = "Normal", string kind = "Question") =>
        (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind, priority, subject = Builders.Unique("Help ") })).Id();

    private static async Task<JsonElement> SlaAsync(HttpClient api, long ticket) => await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}/sla");

    private static string State(JsonElement sla, string target) => sla.GetProperty(target).GetProperty("state").GetString()!;

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task The_sla_clocks_stop_while_the_ticket_waits_on_the_customer_and_breach_once_time_is_up(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var vip = await api.CreateCustomerAsync(tags: ["vip"]);
        var ticket = await TicketAsync(api, vip, "High");
        var created = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}");
        created.GetProperty("tier").GetString().ShouldBe("Premium", "the customer is tagged vip");
        var start = created.GetProperty("createdAt").GetDateTime();
        created.GetProperty("firstResponseDueAt").GetDateTime().ShouldBe(start.AddHours(1), "premium high: first reply within an hour");
        created.GetProperty("dueAt").GetDateTime().ShouldBe(start.AddHours(4));

        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/status", new { status = "Pending" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromHours(10));
        var paused = await SlaAsync(api, ticket);
        State(paused, "firstResponse").ShouldBe("Paused");
        State(paused, "resolution").ShouldBe("Paused");
        paused.GetProperty("breached").GetBoolean().ShouldBeFalse("ten hours waiting on the customer count for nothing");

        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/status", new { status = "Open" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var resumed = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}");
        resumed.GetProperty("firstResponseDueAt").GetDateTime().ShouldBe(start.AddHours(11));
        resumed.GetProperty("dueAt").GetDateTime().ShouldBe(start.AddHours(14));
        State(await SlaAsync(api, ticket), "firstResponse").ShouldBe("Running");

        app.Clock.Advance(TimeSpan.FromMinutes(50));
        var warned = await SlaAsync(api, ticket);
        State(warned, "firstResponse").ShouldBe("Warning");
        warned.GetProperty("breachWarning").GetBoolean().ShouldBeTrue();

        app.Clock.Advance(TimeSpan.FromMinutes(20));
        var late = await SlaAsync(api, ticket);
        State(late, "firstResponse").ShouldBe("Breached");
        late.GetProperty("breached").GetBoolean().ShouldBeTrue();
        State(late, "resolution").ShouldBe("Running");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_reply_joins_the_conversation_and_the_customers_timeline_and_a_note_stays_internal(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var ticket = await TicketAsync(api, customer);

        var noted = await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/notes", new { body = "Customer called twice already." });
        noted.StatusCode.ShouldBe(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var replied = await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "  <b>Hello</b>, please restart the hub.  " });
        replied.StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await replied.ReadAsync<JsonElement>();
        after.GetProperty("status").GetString().ShouldBe("Open", "answering a new ticket opens it");
        after.GetProperty("firstRespondedAt").ValueKind.ShouldBe(JsonValueKind.String);

        var messages = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}/messages");
        messages.EnumerateArray().Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("author").GetString()))
            .ShouldBe([("Note", "apikey:test-Admin"), ("Reply", "apikey:test-Admin")]);
        var reply = messages[1];
        reply.GetProperty("body").GetString().ShouldBe("<b>Hello</b>, please restart the hub.", "stored as the text written, markup and all");

        var timeline = await app.WithDbAsync(db => db.Interactions.Where(i => i.CustomerId == customer).ToListAsync());
        var recorded = timeline.ShouldHaveSingleItem("the reply, not the internal note");
        recorded.Id.ShouldBe(reply.GetProperty("interactionId").GetInt64());
        (recorded.Direction, recorded.Channel, recorded.Agent).ShouldBe((Direction.Outbound, Channel.Email, "apikey:test-Admin"));
        recorded.Subject.ShouldStartWith($"Re: #{ticket} Help ");
        State(await SlaAsync(api, ticket), "firstResponse").ShouldBe("Met");

        var pending = await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "Did that help?", status = "Pending" });
        (await pending.ReadAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Pending");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Bad_desk_input_answers_problems_naming_the_field(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var ticket = await TicketAsync(api, await api.CreateCustomerAsync());

        async Task<(HttpStatusCode, string, JsonElement)> Post(string path, object body)
        {
            var response = await api.PostAsJsonAsync(path, body);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), await response.ReadAsync<JsonElement>());
        }

        var (status, text, _) = await Post($"/api/v1/tickets/{ticket}/replies", new { body = "   " });
        (status, text.Contains("body", StringComparison.Ordinal)).ShouldBe((HttpStatusCode.BadRequest, true));
        (status, text, _) = await Post($"/api/v1/tickets/{ticket}/notes", new { body = new string('x', 8001) });
        (status, text.Contains("body", StringComparison.Ordinal)).ShouldBe((HttpStatusCode.BadRequest, true));
        (status, _, _) = await Post("/api/v1/tickets/987654321/replies", new { body = "hi" });
        status.ShouldBe(HttpStatusCode.NotFound);
        (status, text, _) = await Post($"/api/v1/tickets/{ticket}/assign", new { assignee = "nobody-of-that-name" });
        (status, text.Contains("assignee", StringComparison.Ordinal)).ShouldBe((HttpStatusCode.BadRequest, true));
        (status, text, _) = await Post($"/api/v1/tickets/{ticket}/rating", new { score = 5 });
        (status, text.Contains("status", StringComparison.Ordinal)).ShouldBe((HttpStatusCode.Conflict, true), "an open ticket is not rated yet");
        (status, text, _) = await Post($"/api/v1/tickets/{ticket}/status", new { status = "Gone" });
        status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_closed_ticket_takes_a_satisfaction_rating(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var ticket = await TicketAsync(api, await api.CreateCustomerAsync());
        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/status", new { status = "Closed" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/rating", new { score = 6 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var rated = await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/rating", new { score = 4, comment = "Quick and kind." });
        rated.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await rated.ReadAsync<JsonElement>();
        (body.GetProperty("satisfaction").GetInt32(), body.GetProperty("satisfactionComment").GetString()).ShouldBe((4, "Quick and kind."));
        body.GetProperty("resolvedAt").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Roles_without_tickets_write_may_read_the_conversation_but_not_act(Provider provider)
    {
        var app = apps.For(provider);
        var ticket = await TicketAsync(app.Admin(), await app.Admin().CreateCustomerAsync());
        foreach (var role in new[] { Role.Sales, Role.Analyst, Role.ReadOnly })
        {
            var client = app.ClientAs(role);
            (await client.GetAsync($"/api/v1/tickets/{ticket}/messages")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "hi" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden, role.ToString());
            (await client.PostAsJsonAsync($"/api/v1/tickets/{ticket}/notes", new { body = "hi" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync($"/api/v1/tickets/{ticket}/assign", new { by = "LeastBusy" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync($"/api/v1/tickets/{ticket}/status", new { status = "Closed" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync("/api/v1/tickets/bulk", new { ids = new[] { ticket }, status = "Closed" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        var support = app.ClientAs(Role.Support);
        (await support.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "On it." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var messages = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}/messages");
        messages.GetArrayLength().ShouldBe(1, "nothing the refused roles sent was stored");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Tickets_are_assigned_by_hand_in_turn_or_to_the_least_busy_agent(Provider provider)
    {
        // An app of its own: who is least busy and whose turn it is depend on every agent and ticket of the installation.
        using var app = new CrmApp(provider);
        var admin = app.Admin();
        var (_, first, _) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var (_, second, _) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        await ConsoleSession.NewUserAsync(app, admin, Role.Sales); // may not work tickets: never assigned
        var customer = await admin.CreateCustomerAsync();
        var agents = new[] { "admin", first, second }.Order(StringComparer.Ordinal).ToArray();

        var manual = await TicketAsync(admin, customer);
        var assigned = await admin.PostAsJsonAsync($"/api/v1/tickets/{manual}/assign", new { assignee = first });
        (await assigned.ReadAsync<JsonElement>()).GetProperty("assignee").GetString().ShouldBe(first);

        var turns = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var ticket = await TicketAsync(admin, customer);
            var response = await admin.PostAsJsonAsync($"/api/v1/tickets/{ticket}/assign", new { by = "RoundRobin" });
            turns.Add((await response.ReadAsync<JsonElement>()).GetProperty("assignee").GetString()!);
        }
        turns.Distinct().Count().ShouldBe(3, "each agent in turn");
        turns[3].ShouldBe(turns[0]);
        turns.ShouldAllBe(t => agents.Contains(t));
        turns[0].ShouldBe(agents[(Array.IndexOf(agents, first) + 1) % 3], "the turn after the last assignment");

        // first: 1 manual + its turns; give everyone but `second` more open work, then least busy is `second`.
        foreach (var busy in new[] { "admin", first })
        {
            for (var i = 0; i < 3; i++) await admin.PostAsJsonAsync($"/api/v1/tickets/{await TicketAsync(admin, customer)}/assign", new { assignee = busy });
        }
        var next = await TicketAsync(admin, customer);
        var least = await admin.PostAsJsonAsync($"/api/v1/tickets/{next}/assign", new { by = "LeastBusy" });
        (await least.ReadAsync<JsonElement>()).GetProperty("assignee").GetString().ShouldBe(second);

        var unassigned = await admin.PostAsJsonAsync($"/api/v1/tickets/{next}/assign", new { assignee = "" });
        (await unassigned.ReadAsync<JsonElement>()).GetProperty("assignee").ValueKind.ShouldBe(JsonValueKind.Null);

        var bulk = await admin.PostAsJsonAsync("/api/v1/tickets/bulk", new { ids = new[] { manual, next }, assignee = second, status = "Closed" });
        (await bulk.ReadAsync<JsonElement>()).GetProperty("changed").GetInt32().ShouldBe(2);
        var closed = await app.WithDbAsync(db => db.Tickets.Where(t => t.Id == manual || t.Id == next).ToListAsync());
        closed.ShouldAllBe(t => t.Status == TicketStatus.Closed && t.Assignee == second && t.ResolvedAt != null);
    }
}
