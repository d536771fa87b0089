using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Service;

/// <summary>The desk's setup through its API: SLA policies as stored rows, queues, routing by skill, merge and split, saved views.</summary>
public sealed class DeskSetupTests(DeskApps apps) : IClassFixture<DeskApps>
{
    private static async Task<long> TicketAsync(HttpClient api, long customer, string priority = "Normal", string kind = "Question") =>
        (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind, priority, subject = Builders.Unique("Help ") })).Id();

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task The_seeded_policies_are_the_old_ones_and_a_changed_policy_sets_the_due_times_of_new_tickets(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var stored = await api.GetFromJsonAsync<JsonElement>("/api/v1/tickets/sla-policies");
        stored.EnumerateArray().Select(p => (p.GetProperty("priority").GetString()!, p.GetProperty("tier").GetString()!, p.GetProperty("firstResponseMinutes").GetInt32(), p.GetProperty("resolutionMinutes").GetInt32()))
            .ShouldBe(Sla.Defaults.Select(d => (d.Priority.ToString(), d.Tier.ToString(), d.FirstResponseMinutes, d.ResolutionMinutes)), ignoreOrder: true);

        var vip = await api.CreateCustomerAsync(tags: ["premium"]);
        var before = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{await TicketAsync(api, vip, "Low")}");
        (before.GetProperty("firstResponseDueAt").GetDateTime() - before.GetProperty("createdAt").GetDateTime()).ShouldBe(TimeSpan.FromHours(12), "premium low by the seeded policy");

        var changed = await api.PutAsJsonAsync("/api/v1/tickets/sla-policies/Low/Premium", new { firstResponseMinutes = 90, resolutionMinutes = 600 });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        var after = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{await TicketAsync(api, vip, "Low")}");
        var created = after.GetProperty("createdAt").GetDateTime();
        after.GetProperty("firstResponseDueAt").GetDateTime().ShouldBe(created.AddMinutes(90));
        after.GetProperty("dueAt").GetDateTime().ShouldBe(created.AddMinutes(600));
        var earlier = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{before.Id()}");
        earlier.GetProperty("firstResponseDueAt").GetDateTime().ShouldBe(before.GetProperty("firstResponseDueAt").GetDateTime(), "promises already made do not move");

        // The warning follows the stored policy too: the last quarter of 90 minutes starts after 67.5.
        app.Clock.Advance(TimeSpan.FromMinutes(70));
        var sla = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{after.Id()}/sla");
        sla.GetProperty("firstResponse").GetProperty("state").GetString().ShouldBe("Warning");

        var bad = await api.PutAsJsonAsync("/api/v1/tickets/sla-policies/Low/Premium", new { firstResponseMinutes = 600, resolutionMinutes = 60 });
        (bad.StatusCode, (await bad.Content.ReadAsStringAsync()).Contains("resolutionMinutes", StringComparison.Ordinal)).ShouldBe((HttpStatusCode.BadRequest, true));
        (await api.PutAsJsonAsync("/api/v1/tickets/sla-policies/Soon/Premium", new { firstResponseMinutes = 1, resolutionMinutes = 2 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.ClientAs(Role.Support).PutAsJsonAsync("/api/v1/tickets/sla-policies/Low/Premium", new { firstResponseMinutes = 1, resolutionMinutes = 2 }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden, "agents work tickets; managers set the promises");
        (await app.ClientAs(Role.Manager).PutAsJsonAsync("/api/v1/tickets/sla-policies/Low/Premium", new { firstResponseMinutes = 720, resolutionMinutes = 2160 }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_new_ticket_joins_the_first_matching_queue_and_assignment_by_skill_picks_an_agent_who_knows_it(Provider provider)
    {
        // An app of its own: who is least busy depends on every agent and ticket of the installation.
        using var app = new CrmApp(provider);
        var admin = app.Admin();
        var (_, expert, _) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var (_, other, _) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var refunds = (await admin.CreateAsync("/api/v1/ticket-queues", new { name = "Refunds", kind = "Refund" })).Id();
        var everything = (await admin.CreateAsync("/api/v1/ticket-queues", new { name = "General" })).Id();
        (await admin.PostAsJsonAsync("/api/v1/ticket-queues", new { name = "Refunds" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest, "names are unique");
        (await admin.PostAsJsonAsync("/api/v1/ticket-queues", new { name = "Fax", channel = "fax" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync($"/api/v1/agent-skills/{expert}", new { skills = new[] { "refunds", "zh-Hans" } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync("/api/v1/agent-skills/nobody-here", new { skills = new[] { "refunds" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var customer = await admin.CreateCustomerAsync();
        var refund = await TicketAsync(admin, customer, kind: "Refund");
        var question = await TicketAsync(admin, customer);
        var tickets = await app.WithDbAsync(db => db.Tickets.Where(t => t.Id == refund || t.Id == question).ToDictionaryAsync(t => t.Id, t => t.QueueId));
        (tickets[refund], tickets[question]).ShouldBe((refunds, everything), "the first queue by position whose conditions the ticket meets");

        // Give the expert more open work than anyone: by skill still picks them for a refund, least busy would not.
        for (var i = 0; i < 3; i++) await admin.PostAsJsonAsync($"/api/v1/tickets/{await TicketAsync(admin, customer)}/assign", new { assignee = expert });
        var bySkill = await admin.PostAsJsonAsync($"/api/v1/tickets/{refund}/assign", new { by = "Skill" });
        (await bySkill.ReadAsync<JsonElement>()).GetProperty("assignee").GetString().ShouldBe(expert);
        var fallback = await admin.PostAsJsonAsync($"/api/v1/tickets/{question}/assign", new { by = "Skill" });
        (await fallback.ReadAsync<JsonElement>()).GetProperty("assignee").GetString().ShouldBe(new[] { "admin", other }.Min(StringComparer.Ordinal),
            "nobody knows the General queue: the least busy agent");

        var moved = await admin.PostAsJsonAsync($"/api/v1/tickets/{question}/queue", new { queueId = refunds });
        (await moved.ReadAsync<JsonElement>()).GetProperty("queueId").GetInt64().ShouldBe(refunds);
        (await admin.PostAsJsonAsync($"/api/v1/tickets/{question}/queue", new { queueId = 987654 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.ClientAs(Role.Support).PostAsJsonAsync("/api/v1/ticket-queues", new { name = "Mine" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await admin.DeleteAsync($"/api/v1/ticket-queues/{refunds}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await app.WithDbAsync(db => db.Tickets.Where(t => t.Id == refund).Select(t => t.QueueId).FirstAsync())).ShouldBeNull("the ticket stays, in no queue");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Merging_moves_the_conversation_and_closes_the_merged_ticket_with_a_link_and_split_makes_a_new_ticket_of_one_message(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var kept = await TicketAsync(api, customer, "High");
        var duplicate = await TicketAsync(api, customer);
        await api.PostAsJsonAsync($"/api/v1/tickets/{kept}/notes", new { body = "First note." });
        await api.PostAsJsonAsync($"/api/v1/tickets/{duplicate}/notes", new { body = "The same problem, written again." });
        await api.PostAsJsonAsync($"/api/v1/tickets/{duplicate}/notes", new { body = "And the filter is blocked too." });

        (await api.PostAsJsonAsync($"/api/v1/tickets/{duplicate}/merge", new { into = duplicate })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.PostAsJsonAsync($"/api/v1/tickets/{duplicate}/merge", new { into = await TicketAsync(api, await api.CreateCustomerAsync()) }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict, "another customer's ticket");
        var merged = await api.PostAsJsonAsync($"/api/v1/tickets/{duplicate}/merge", new { into = kept });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
        (await merged.ReadAsync<JsonElement>()).Id().ShouldBe(kept);

        var closed = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{duplicate}");
        (closed.GetProperty("status").GetString(), closed.GetProperty("mergedIntoId").GetInt64()).ShouldBe(("Closed", kept));
        var conversation = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{kept}/messages");
        var bodies = conversation.EnumerateArray().Select(m => m.GetProperty("body").GetString()!).ToList();
        bodies.ShouldContain("The same problem, written again.");
        bodies.ShouldContain("And the filter is blocked too.");
        bodies.ShouldContain(b => b.StartsWith($"Merged #{duplicate}", StringComparison.Ordinal));
        var left = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{duplicate}/messages");
        left.EnumerateArray().Select(m => m.GetProperty("body").GetString()).ShouldBe([$"Merged into #{kept}."]);
        var audited = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Entity == nameof(Ticket) && a.EntityId == duplicate && a.Changes!.Contains("MergedIntoId")).CountAsync());
        audited.ShouldBe(1, "the audit log keeps who merged and when");
        (await api.PostAsJsonAsync($"/api/v1/tickets/{duplicate}/merge", new { into = kept })).StatusCode.ShouldBe(HttpStatusCode.Conflict, "merged once");

        var blocked = conversation.EnumerateArray().First(m => m.GetProperty("body").GetString() == "And the filter is blocked too.").Id();
        var split = await api.PostAsJsonAsync($"/api/v1/tickets/{kept}/split", new { messageId = blocked });
        split.StatusCode.ShouldBe(HttpStatusCode.Created, await split.Content.ReadAsStringAsync());
        var created = await split.ReadAsync<JsonElement>();
        (created.GetProperty("customerId").GetInt64(), created.GetProperty("priority").GetString(), created.GetProperty("subject").GetString())
            .ShouldBe((customer, "High", "And the filter is blocked too."));
        created.GetProperty("firstResponseDueAt").ValueKind.ShouldBe(JsonValueKind.String, "its own SLA clocks");
        var moved = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{created.Id()}/messages");
        moved.EnumerateArray().Select(m => m.GetProperty("body").GetString()).ShouldBe(["And the filter is blocked too.", $"Split from #{kept}."]);
        (await api.PostAsJsonAsync($"/api/v1/tickets/{kept}/split", new { messageId = blocked })).StatusCode.ShouldBe(HttpStatusCode.BadRequest, "no longer on this ticket");
        (await app.ClientAs(Role.ReadOnly).PostAsJsonAsync($"/api/v1/tickets/{kept}/merge", new { into = created.Id() })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.ClientAs(Role.Sales).PostAsJsonAsync($"/api/v1/tickets/{kept}/split", new { messageId = 1 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Each_user_keeps_saved_views_of_the_ticket_list_and_sees_only_their_own(Provider provider)
    {
        var app = apps.For(provider);
        var mine = app.ClientAs(Role.Support);
        var theirs = app.ClientAs(Role.ReadOnly);
        var saved = await mine.PostAsJsonAsync("/api/v1/saved-views", new { page = "tickets", name = "Urgent open", query = "?status=Open&priority=Urgent&page=3&next=https://evil.example" });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        var view = await saved.ReadAsync<JsonElement>();
        view.GetProperty("query").GetString().ShouldBe("status=Open&priority=Urgent", "only the list's own filters and sort");
        var again = await mine.PostAsJsonAsync("/api/v1/saved-views", new { page = "tickets", name = "Urgent open", query = "priority=Urgent&sort=due" });
        (await again.ReadAsync<JsonElement>()).Id().ShouldBe(view.Id(), "the same name replaces the view");

        // Other tests of this app save views under the same keys' names: look at this test's view only.
        (await mine.GetFromJsonAsync<JsonElement>("/api/v1/saved-views?page=tickets")).EnumerateArray().Where(v => v.GetProperty("name").GetString() == "Urgent open")
            .Select(v => v.GetProperty("query").GetString()).ShouldBe(["priority=Urgent&sort=due"]);
        (await theirs.GetFromJsonAsync<JsonElement>("/api/v1/saved-views?page=tickets")).EnumerateArray().ShouldNotContain(v => v.GetProperty("name").GetString() == "Urgent open");
        (await theirs.DeleteAsync($"/api/v1/saved-views/{view.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another user's view");
        (await mine.PostAsJsonAsync("/api/v1/saved-views", new { page = "nowhere", name = "x" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await mine.PostAsJsonAsync("/api/v1/saved-views", new { page = "tickets", name = " " })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await mine.DeleteAsync($"/api/v1/saved-views/{view.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Each_new_desk_route_answers_each_role_by_its_permissions(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var customer = await admin.CreateCustomerAsync();
        var ticket = await TicketAsync(admin, customer);
        var other = await TicketAsync(admin, customer);
        (HttpMethod Method, string Path, object? Body, string Permission)[] routes =
        [
            (HttpMethod.Put, "/api/v1/tickets/sla-policies/Normal/Standard", new { firstResponseMinutes = 480, resolutionMinutes = 1440 }, Permissions.DeskConfigure),
            (HttpMethod.Post, "/api/v1/ticket-queues", new { name = "" }, Permissions.DeskConfigure),
            (HttpMethod.Delete, "/api/v1/ticket-queues/987654", null, Permissions.DeskConfigure),
            (HttpMethod.Put, "/api/v1/agent-skills/admin", new { skills = Array.Empty<string>() }, Permissions.DeskConfigure),
            (HttpMethod.Post, $"/api/v1/tickets/{ticket}/queue", new { queueId = (long?)null }, Permissions.TicketsWrite),
            (HttpMethod.Post, $"/api/v1/tickets/{ticket}/merge", new { into = ticket }, Permissions.TicketsWrite),
            (HttpMethod.Post, $"/api/v1/tickets/{other}/split", new { messageId = 987654 }, Permissions.TicketsWrite),
            (HttpMethod.Post, "/api/v1/outbox/987654/retry", null, Permissions.TicketsWrite),
            (HttpMethod.Post, "/api/v1/outbox/987654/called", new { note = "x" }, Permissions.TicketsWrite),
            (HttpMethod.Get, "/api/v1/outbox/call-backs", null, Permissions.CustomersRead),
            (HttpMethod.Post, "/api/v1/saved-views", new { page = "tickets", name = "Roles" }, Permissions.CustomersRead),
        ];
        foreach (var role in Enum.GetValues<Role>())
        {
            var client = app.ClientAs(role);
            foreach (var (method, path, body, permission) in routes)
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                var status = (await client.SendAsync(request)).StatusCode;
                if (Permissions.Allows(role, permission)) status.ShouldNotBe(HttpStatusCode.Forbidden, $"{role} {method} {path}");
                else status.ShouldBe(HttpStatusCode.Forbidden, $"{role} {method} {path}");
            }
        }
    }
}
