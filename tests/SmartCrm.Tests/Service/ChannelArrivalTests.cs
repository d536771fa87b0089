using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Models;
using SmartCrm.Security;
using SmartCrm.Service;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Tests.Service;

/// <summary>
/// A message's arrival as one unit of work: stored, threaded, triaged and routed together, under the desk's setup as it is now
/// (policies and queues are cached on the node, and a change there is seen by the next message).
/// </summary>
public sealed class ChannelArrivalTests(ChannelApps apps) : IClassFixture<ChannelApps>
{
    private static async Task<JsonElement> SendAsync(CrmApp app, string channel, object message)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{channel}/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(SignedWebhooks.TimestampHeader, timestamp);
        request.Headers.Add(SignedWebhooks.SignatureHeader, SignedWebhooks.Sign(ChannelApps.Secrets[channel], timestamp, body));
        using var response = await app.CreateClient().SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<JsonElement>();
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_policy_or_queue_changed_on_this_node_is_seen_by_the_very_next_message(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        // The setup as it was is read (and kept) by a first message.
        await SendAsync(app, "email", new { from = $"{Guid.NewGuid():N}@example.com", text = "How do I pair the sensor with the app?" });
        var normal = Sla.Defaults.Single(p => p.Priority == Priority.Normal && p.Tier == CustomerTier.Standard);
        long? queue = null;
        try
        {
            (await admin.PutAsJsonAsync("/api/v1/tickets/sla-policies/Normal/Standard", new { firstResponseMinutes = 33, resolutionMinutes = 333 })).StatusCode.ShouldBe(HttpStatusCode.OK);
            queue = (await admin.CreateAsync("/api/v1/ticket-queues", new { name = Builders.Unique("Faults by mail "), channel = "email", category = "fault" })).Id();

            var delivered = await SendAsync(app, "email", new { from = $"{Guid.NewGuid():N}@example.com", text = "The device does not turn on anymore, the screen is black" });
            var ticket = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{delivered.GetProperty("ticketId").GetInt64()}");
            var created = ticket.GetProperty("createdAt").GetDateTime();
            // Created is stamped when the row is written, a moment after the clocks started.
            var firstResponse = ticket.GetProperty("firstResponseDueAt").GetDateTime();
            firstResponse.ShouldBe(created.AddMinutes(33), TimeSpan.FromSeconds(5), "the policy changed a moment ago");
            (ticket.GetProperty("dueAt").GetDateTime() - firstResponse).ShouldBe(TimeSpan.FromMinutes(300));
            ticket.GetProperty("queueId").GetInt64().ShouldBe(queue.Value, "triage named the category, and the queue added a moment ago asks for it");
            (await app.WithDbAsync(db => db.TriageDecisions.SingleAsync(d => d.TicketId == ticket.Id()))).Category.ShouldBe("fault");

            (await admin.DeleteAsync($"/api/v1/ticket-queues/{queue}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
            queue = null;
            var after = await SendAsync(app, "email", new { from = $"{Guid.NewGuid():N}@example.com", text = "The machine makes a loud noise and then stops" });
            (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{after.GetProperty("ticketId").GetInt64()}")).GetProperty("queueId").ValueKind
                .ShouldBe(JsonValueKind.Null, "the removed queue takes no more tickets");
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/v1/tickets/sla-policies/Normal/Standard", new { firstResponseMinutes = normal.FirstResponseMinutes, resolutionMinutes = normal.ResolutionMinutes });
            if (queue is not null) await admin.DeleteAsync($"/api/v1/ticket-queues/{queue}");
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_follow_up_message_leaves_its_ticket_in_the_queue_an_agent_moved_it_to(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var queue = (await admin.CreateAsync("/api/v1/ticket-queues", new { name = Builders.Unique("Faults by mail "), channel = "email", category = "fault" })).Id();
        try
        {
            var from = $"{Guid.NewGuid():N}@example.com";
            var first = await SendAsync(app, "email", new { from, text = "The device does not turn on anymore, the screen is black" });
            var ticketId = first.GetProperty("ticketId").GetInt64();
            (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}")).GetProperty("queueId").GetInt64().ShouldBe(queue, "a new fault joins the fault queue");

            (await admin.PostAsJsonAsync($"/api/v1/tickets/{ticketId}/queue", new { queueId = (long?)null })).StatusCode.ShouldBe(HttpStatusCode.OK);
            var second = await SendAsync(app, "email", new { from, text = "Still broken: the device does not turn on, the screen stays black" });

            second.GetProperty("ticketId").GetInt64().ShouldBe(ticketId, "the follow-up threads into the open ticket");
            (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}")).GetProperty("queueId").ValueKind
                .ShouldBe(JsonValueKind.Null, "the agent took it out of the queue, and the customer's next message does not put it back");
        }
        finally
        {
            await admin.DeleteAsync($"/api/v1/ticket-queues/{queue}");
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_message_whose_triage_fails_is_stored_whole_without_half_a_decision_and_is_triaged_later(Provider provider)
    {
        var app = apps.For(provider);
        var models = app.Services.GetRequiredService<TriageModels>();
        // An active model nobody can load (a damaged payload): triage throws on every message of this node.
        var broken = await app.WithDbAsync(async db =>
        {
            var version = new ModelVersion
            {
                Kind = TriageTraining.Name, Version = 9999, Metric = "holdout_accuracy", Score = 1, Active = true, Payload = [1, 2, 3],
                TrainedFrom = DateTime.UtcNow, TrainedTo = DateTime.UtcNow, CreatedAt = DateTime.UtcNow, ActivatedAt = DateTime.UtcNow,
            };
            db.ModelVersions.Add(version);
            await db.SaveChangesAsync();
            return version.Id;
        });
        models.Forget();
        long ticketId;
        try
        {
            var sender = Builders.Unique("wxid_");
            var delivered = await SendAsync(app, "wechat", new { from = sender, text = "Water is leaking from the heater, it is urgent, please help now" });
            delivered.GetProperty("newTicket").GetBoolean().ShouldBeTrue();
            delivered.GetProperty("newCustomer").GetBoolean().ShouldBeTrue();
            ticketId = delivered.GetProperty("ticketId").GetInt64();
            var customerId = delivered.GetProperty("customerId").GetInt64();

            var (ticket, messages, timeline, decisions, sources) = await app.WithDbAsync(async db => (
                await db.Tickets.SingleAsync(t => t.Id == ticketId),
                await db.TicketMessages.Where(m => m.TicketId == ticketId).ToListAsync(),
                await db.Interactions.Where(i => i.CustomerId == customerId).ToListAsync(),
                await db.TriageDecisions.CountAsync(d => d.TicketId == ticketId),
                await db.CustomerSources.Where(s => s.CustomerId == customerId).Select(s => s.ExternalId).ToListAsync()));
            ticket.CustomerId.ShouldBe(customerId);
            (ticket.Status, ticket.Priority).ShouldBe((TicketStatus.New, Priority.Normal), "no priority raised by a decision that was never stored");
            messages.Single().InteractionId.ShouldBe(timeline.Single().Id);
            sources.ShouldBe([sender]);
            decisions.ShouldBe(0);
        }
        finally
        {
            await app.WithDbAsync(db => db.ModelVersions.Where(m => m.Id == broken).ExecuteDeleteAsync());
            models.Forget();
        }
        var triaged = await app.Admin().PostAsync($"/api/v1/tickets/{ticketId}/triage", null);
        triaged.StatusCode.ShouldBe(HttpStatusCode.OK, "nothing was lost: the ticket is triaged on the next round");
        (await app.WithDbAsync(db => db.TriageDecisions.CountAsync(d => d.TicketId == ticketId))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_lead_saved_with_its_first_message_is_named_by_its_own_id_in_the_audit_log(Provider provider)
    {
        // The lead, its channel id, its ticket and timeline entry are written in one save: the audit rows name the lead's real id,
        // never the temporary one the rows held before it was written.
        var app = apps.For(provider);
        var delivered = await SendAsync(app, "wechat", new { from = Builders.Unique("wxid_"), text = "我的快递到现在还没收到" });
        var customerId = delivered.GetProperty("customerId").GetInt64();
        var ticketId = delivered.GetProperty("ticketId").GetInt64();
        var audit = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action == "Added"
            && (a.Entity == "Ticket" && a.EntityId == ticketId || a.Entity == "CustomerSource" || a.Entity == "Interaction")).ToListAsync());
        audit.Single(a => a.Entity == "Ticket").Changes!.ShouldContain($"\"CustomerId\":[null,{customerId}]");
        audit.Where(a => a.Entity is "CustomerSource" or "Interaction").Count(a => a.Changes!.Contains($"\"CustomerId\":[null,{customerId}]", StringComparison.Ordinal)).ShouldBe(2);
        (await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Entity == "Customer" && a.EntityId == customerId && a.Action == "Added"))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_new_senders_message_is_written_in_one_save_with_its_lead_ticket_timeline_entry_and_triage(Provider provider)
    {
        // The message names its ticket and timeline entry by foreign keys (V21), so EF orders the inserts of one save: an arriving
        // message is one round of inserts (and one of their audit rows), not a save for the entry and another for the message.
        var app = apps.For(provider);
        using var scope = app.Services.CreateScope();
        var inboxDb = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var saves = new List<List<string>>();
        inboxDb.SavingChanges += (_, _) => saves.Add(inboxDb.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && e.Entity is not AuditEntry)
            .Select(e => e.Metadata.ClrType.Name).Order(StringComparer.Ordinal).ToList());

        var delivered = await scope.ServiceProvider.GetRequiredService<ChannelInbox>()
            .DeliverAsync("email", new ChannelMessage($"{Guid.NewGuid():N}@example.com", "The heater is leaking water, urgent", null, null), CancellationToken.None, triageOnArrival: true);

        saves.Where(s => s.Count > 0).ShouldHaveSingleItem()
            .ShouldBe(["Customer", "CustomerSource", "Interaction", "Ticket", "TicketMessage", "TriageDecision"]);
        var message = await app.WithDbAsync(db => db.TicketMessages.SingleAsync(m => m.Id == delivered.MessageId));
        message.TicketId.ShouldBe(delivered.TicketId);
        var entry = await app.WithDbAsync(db => db.Interactions.SingleAsync(i => i.Id == message.InteractionId));
        (entry.CustomerId, entry.Body).ShouldBe((delivered.CustomerId, "The heater is leaking water, urgent"));
        (await app.WithDbAsync(db => db.TriageDecisions.SingleAsync(d => d.TicketId == delivered.TicketId))).Score.ShouldBeGreaterThan(PriorityScore.Start);
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == delivered.TicketId))).CustomerId.ShouldBe(delivered.CustomerId);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_removed_timeline_entry_leaves_its_ticket_message_without_a_link_not_a_dangling_id(Provider provider)
    {
        var app = apps.For(provider);
        var email = $"{Guid.NewGuid():N}@example.com";
        await app.Admin().CreateCustomerAsync(email: email);
        var delivered = await SendAsync(app, "email", new { from = email, text = "Please call me back about my invoice." });
        var messageId = delivered.GetProperty("messageId").GetInt64();
        var interactionId = (await app.WithDbAsync(db => db.TicketMessages.SingleAsync(m => m.Id == messageId))).InteractionId;
        interactionId.ShouldNotBeNull();

        (await app.Admin().DeleteAsync($"/api/v1/interactions/{interactionId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var message = await app.WithDbAsync(db => db.TicketMessages.SingleAsync(m => m.Id == messageId));
        (message.InteractionId, message.Body).ShouldBe((null, "Please call me back about my invoice."), "the conversation keeps the message");
    }
}
