using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Service;

/// <summary>The desk's console pages on the server: the setup page (managers only), queue filter and saved views on the ticket list.</summary>
public sealed class DeskConsoleTests(Apps apps) : IClassFixture<Apps>
{
    private static async Task<HttpResponseMessage> PostFormAsync(ConsoleSession session, string path, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var all = fields.Append(new("__RequestVerificationToken", await session.SignOutTokenAsync()));
        return await session.Client.PostAsync(path, new FormUrlEncodedContent(all));
    }

    [Fact]
    public async Task Only_managers_and_admins_open_the_desk_setup_and_saving_it_changes_the_policies_queues_and_skills()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var (_, _, support) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var (_, agent, _) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var (_, _, manager) = await ConsoleSession.NewUserAsync(app, admin, Role.Manager);

        var refused = await support.Client.GetAsync("/tickets/setup");
        refused.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        (await support.Client.GetStringAsync("/tickets")).ShouldNotContain("data-desk-setup");
        (await manager.Client.GetStringAsync("/tickets")).ShouldContain("data-desk-setup");
        var page = await manager.Client.GetStringAsync("/tickets/setup");
        page.ShouldContain("data-policy=\"Urgent-Standard\"");

        var policies = Sla.Defaults.OrderBy(p => p.Tier).ThenByDescending(p => p.Priority).ToList();
        var fields = new List<KeyValuePair<string, string>> { new("_handler", "policies") };
        foreach (var p in policies)
        {
            var changed = p.Priority == Priority.Urgent && p.Tier == CustomerTier.Standard;
            fields.Add(new("PolicyKeys", $"{p.Priority}-{p.Tier}"));
            fields.Add(new("FirstResponses", changed ? "45" : p.FirstResponseMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            fields.Add(new("Resolutions", changed ? "180" : p.ResolutionMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        await PostFormAsync(manager, "/tickets/setup", fields);
        var urgent = await app.WithDbAsync(db => db.SlaPolicies.SingleAsync(p => p.Priority == Priority.Urgent && p.Tier == CustomerTier.Standard));
        (urgent.FirstResponseMinutes, urgent.ResolutionMinutes).ShouldBe((45, 180));
        (await app.WithDbAsync(db => db.SlaPolicies.SingleAsync(p => p.Priority == Priority.Low && p.Tier == CustomerTier.Premium))).UpdatedBy.ShouldBeNull("unchanged rows are not rewritten");

        var queueName = Builders.Unique("Faults ");
        await PostFormAsync(manager, "/tickets/setup", [new("_handler", "add-queue"), new("QueueName", queueName), new("QueueKind", "Fault"), new("QueueChannel", "")]);
        var queue = await app.WithDbAsync(db => db.TicketQueues.SingleAsync(q => q.Name == queueName));
        queue.Kind.ShouldBe(TicketKind.Fault);
        await PostFormAsync(manager, "/tickets/setup", [new("_handler", "skills"), new("SkillAgents", agent), new("SkillLists", $"{queueName}, zh-Hans")]);
        (await app.WithDbAsync(db => db.AgentSkills.Where(s => s.UserName == agent).Select(s => s.Skill).OrderBy(s => s).ToListAsync())).ShouldBe([queueName, "zh-Hans"]);

        // Put back what the other tests of this app expect.
        await admin.PutAsJsonAsync("/api/v1/tickets/sla-policies/Urgent/Standard", new { firstResponseMinutes = 60, resolutionMinutes = 240 });
        await admin.DeleteAsync($"/api/v1/ticket-queues/{queue.Id}");
    }

    [Fact]
    public async Task The_list_filters_by_queue_and_a_saved_view_is_a_link_for_its_owner_only()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var queueName = Builders.Unique("Returns ");
        var queue = (await admin.CreateAsync("/api/v1/ticket-queues", new { name = queueName, kind = "Return" })).Id();
        var customer = await admin.CreateCustomerAsync();
        var inQueue = (await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Return", subject = "Return the heater" })).Id();
        var other = (await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Opening hours" })).Id();
        var (_, _, owner) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var (_, _, someoneElse) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);

        var list = await owner.Client.GetStringAsync($"/tickets?queue={queue}");
        list.ShouldContain($"data-ticket=\"{inQueue}\"");
        list.ShouldNotContain($"data-ticket=\"{other}\"");

        await PostFormAsync(owner, $"/tickets?queue={queue}&sort=due&page=2", [new("_handler", "save-view"), new("ViewName", "My returns")]);
        var saved = await app.WithDbAsync(db => db.SavedViews.Where(v => v.Name == "My returns").ToListAsync());
        saved.ShouldHaveSingleItem().Query.ShouldBe($"queue={queue}&sort=due");
        (await owner.Client.GetStringAsync("/tickets")).ShouldContain($"href=\"/tickets?queue={queue}&amp;sort=due\"");
        (await someoneElse.Client.GetStringAsync("/tickets")).ShouldNotContain("My returns");

        // Deleting: another user's post of the id deletes nothing; the owner's removes the view from the list.
        var id = saved.Single().Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await owner.Client.GetStringAsync("/tickets")).ShouldContain("data-delete-view=\"My returns\"");
        (await PostFormAsync(someoneElse, "/tickets", [new("_handler", "delete-view"), new("DeleteView", id)])).Dispose();
        (await app.WithDbAsync(db => db.SavedViews.CountAsync(v => v.Name == "My returns"))).ShouldBe(1);
        using (var deleted = await PostFormAsync(owner, "/tickets", [new("_handler", "delete-view"), new("DeleteView", id)]))
            (await deleted.Content.ReadAsStringAsync()).ShouldContain("The view was deleted.");
        (await app.WithDbAsync(db => db.SavedViews.CountAsync(v => v.Name == "My returns"))).ShouldBe(0);
        (await owner.Client.GetStringAsync("/tickets")).ShouldNotContain("data-saved-view=\"My returns\"");
        await admin.DeleteAsync($"/api/v1/ticket-queues/{queue}");
    }
}
