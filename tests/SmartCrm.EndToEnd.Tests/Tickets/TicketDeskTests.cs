using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Tickets;

/// <summary>An agent's day at the desk in a browser: the list, a new ticket, a reply, an assignment, the close; bulk actions; the 360.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class TicketDeskTests(RunningCrm crm)
{
    [Fact]
    public async Task An_agent_opens_a_ticket_from_the_list_replies_assigns_and_closes_it()
    {
        var page = await crm.SignedInPageAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        var customer = (await Api.PostAsync(page, "/api/v1/customers", new { name = "Desk Journey Customer", email, tags = new[] { "vip" } })).GetProperty("id").GetInt64();

        await page.GotoAsync("/tickets");
        await RunningCrm.ScreenshotAsync(page, "40-ticket-list");
        await page.Locator("[data-new-ticket]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/tickets/new$"));
        await page.FillAsync("input[name=CustomerRef]", email);
        await page.SelectOptionAsync("select[name=Kind]", "Complaint");
        await page.SelectOptionAsync("select[name=PriorityName]", "High");
        await page.FillAsync("input[name=Subject]", "Installer left the <b>boiler</b> leaking");
        await page.FillAsync("textarea[name=Description]", "Water on the floor since the visit.");
        await RunningCrm.ScreenshotAsync(page, "41-ticket-new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open ticket" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/tickets/\d+$"));
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        (await page.Locator("[data-ticket-subject]").InnerTextAsync()).ShouldBe($"#{id} Installer left the <b>boiler</b> leaking", "markup is shown as text");
        (await page.Locator("[data-sla-first]").GetAttributeAsync("data-sla-first")).ShouldBe("Running");
        (await page.Locator("[data-customer-link]").InnerTextAsync()).ShouldBe("Desk Journey Customer");
        await RunningCrm.ScreenshotAsync(page, "42-ticket-page-new");

        await page.FillAsync("textarea[name=Body]", "Sorry about this. An engineer comes tomorrow at 9.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await page.Locator("[data-message=Reply]").WaitForAsync();
        (await page.Locator("[data-message=Reply]").InnerTextAsync()).ShouldContain("An engineer comes tomorrow at 9.");
        (await page.Locator("[data-sla-first]").GetAttributeAsync("data-sla-first")).ShouldBe("Met");
        (await page.Locator("[data-status]").InnerTextAsync()).ShouldBe("Open");

        await page.FillAsync("textarea[name=Body]", "Engineer booked through the partner portal.");
        await page.CheckAsync("input[name=Visibility][value=note]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await page.Locator("[data-message=Note]").WaitForAsync();

        await page.SelectOptionAsync("select[name=Assignee]", "admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await page.Locator("[data-assignee]", new() { HasTextString = "admin" }).WaitForAsync();
        await RunningCrm.ScreenshotAsync(page, "43-ticket-replied-assigned");

        await page.SelectOptionAsync("select[name=NewStatus]", "Closed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await page.Locator("[data-status]", new() { HasTextString = "Closed" }).WaitForAsync();
        (await page.Locator("[data-history]").InnerTextAsync()).ShouldContain("Status: Open → Closed");
        await RunningCrm.ScreenshotAsync(page, "44-ticket-closed");

        var ticket = await Api.GetAsync(page, $"/api/v1/tickets/{id}");
        (ticket.GetProperty("status").GetString(), ticket.GetProperty("assignee").GetString(), ticket.GetProperty("kind").GetString(), ticket.GetProperty("tier").GetString())
            .ShouldBe(("Closed", "admin", "Complaint", "Premium"));
        var timeline = await Api.GetAsync(page, $"/api/v1/interactions?customerId={customer}");
        timeline.GetProperty("total").GetInt32().ShouldBe(1, "the reply is on the customer's timeline, the internal note is not");
    }

    [Fact]
    public async Task The_list_filters_by_kind_and_assignee_and_assigns_and_closes_in_bulk()
    {
        var page = await crm.SignedInPageAsync();
        var customer = (await Api.PostAsync(page, "/api/v1/customers", new { name = "Bulk Customer", email = $"{Guid.NewGuid():N}@example.com" })).GetProperty("id").GetInt64();
        var ids = new List<long>();
        for (var i = 0; i < 2; i++)
            ids.Add((await Api.PostAsync(page, "/api/v1/tickets", new { customerId = customer, kind = "Complaint", priority = "Urgent", subject = $"Bulk complaint {i}" })).GetProperty("id").GetInt64());

        await page.GotoAsync("/tickets?kind=Complaint&priority=Urgent&assignee=-");
        foreach (var id in ids) await page.CheckAsync($"tr[data-ticket='{id}'] input[name=Ids]");
        await page.SelectOptionAsync("select[name=BulkAssignee]", "admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign selected" }).ClickAsync();
        await page.Locator("[data-bulk-done]").WaitForAsync();
        (await page.Locator("[data-bulk-done]").InnerTextAsync()).ShouldBe("2 tickets changed.");
        await page.GotoAsync("/tickets?kind=Complaint&assignee=admin");
        foreach (var id in ids) (await page.Locator($"tr[data-ticket='{id}']").CountAsync()).ShouldBe(1, "assigned to admin");
        await RunningCrm.ScreenshotAsync(page, "45-ticket-list-filtered");

        foreach (var id in ids) await page.CheckAsync($"tr[data-ticket='{id}'] input[name=Ids]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close selected" }).ClickAsync();
        await page.Locator("[data-bulk-done]").WaitForAsync();
        foreach (var id in ids) (await Api.GetAsync(page, $"/api/v1/tickets/{id}")).GetProperty("status").GetString().ShouldBe("Closed");
    }

    [Fact]
    public async Task An_agent_filters_by_queue_saves_the_view_merges_a_duplicate_and_splits_a_message_out()
    {
        var page = await crm.SignedInPageAsync();
        var queueName = $"Refunds {Guid.NewGuid().ToString("N")[..6]}";
        var queue = (await Api.PostAsync(page, "/api/v1/ticket-queues", new { name = queueName, kind = "Refund" })).GetProperty("id").GetInt64();
        var customer = (await Api.PostAsync(page, "/api/v1/customers", new { name = "Merge Customer", email = $"{Guid.NewGuid():N}@example.com" })).GetProperty("id").GetInt64();
        var kept = (await Api.PostAsync(page, "/api/v1/tickets", new { customerId = customer, kind = "Refund", priority = "High", subject = "Refund for the broken kettle" })).GetProperty("id").GetInt64();
        var duplicate = (await Api.PostAsync(page, "/api/v1/tickets", new { customerId = customer, kind = "Refund", subject = "Kettle refund again" })).GetProperty("id").GetInt64();
        (await page.APIRequest.PostAsync($"/api/v1/tickets/{duplicate}/notes", new() { DataObject = new { body = "Also asks about the toaster warranty." } })).Status.ShouldBe(200);

        await page.GotoAsync("/tickets");
        await page.SelectOptionAsync("select[name=queue]", queue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"queue={queue}"));
        (await page.Locator("tr[data-ticket]").CountAsync()).ShouldBe(2, "only this queue's tickets");
        (await page.Locator($"tr[data-ticket='{kept}'] td[data-queue]").InnerTextAsync()).ShouldBe(queueName);

        await page.FillAsync("input[name=ViewName]", queueName);
        await page.Locator("[data-save-view]").ClickAsync();
        await page.Locator($"[data-saved-view='{queueName}']").WaitForAsync();
        await RunningCrm.ScreenshotAsync(page, "47-ticket-list-queue-saved-view");
        await page.GotoAsync("/tickets");
        await page.Locator($"[data-saved-view='{queueName}']").ClickAsync();
        await page.WaitForURLAsync(new Regex($"queue={queue}"));
        (await page.Locator("tr[data-ticket]").CountAsync()).ShouldBe(2, "the saved view brings the filter back");

        await page.GotoAsync($"/tickets/{duplicate}");
        await page.FillAsync("input[name=MergeInto]", kept.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Merge into ticket" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/tickets/{kept}$"));
        (await page.Locator("[data-conversation]").InnerTextAsync()).ShouldContain($"Merged #{duplicate}");
        await RunningCrm.ScreenshotAsync(page, "48-ticket-merged");
        var merged = await Api.GetAsync(page, $"/api/v1/tickets/{duplicate}");
        (merged.GetProperty("status").GetString(), merged.GetProperty("mergedIntoId").GetInt64()).ShouldBe(("Closed", kept));

        var toaster = page.Locator("li[data-message-id]", new() { HasTextString = "toaster warranty" });
        await toaster.GetByRole(AriaRole.Button, new() { Name = "Split into new ticket" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/tickets/\d+$"));
        page.Url.ShouldNotEndWith($"/tickets/{kept}");
        (await page.Locator("[data-ticket-subject]").InnerTextAsync()).ShouldContain("Also asks about the toaster warranty.");
        await RunningCrm.ScreenshotAsync(page, "49-ticket-split");
    }

    [Fact]
    public async Task From_the_360_an_agent_logs_a_call_adds_a_note_opens_a_ticket_and_starts_a_deal_and_sees_them_on_the_timeline()
    {
        var page = await crm.SignedInPageAsync();
        var customer = (await Api.PostAsync(page, "/api/v1/customers", new { name = "Act From 360", email = $"{Guid.NewGuid():N}@example.com" })).GetProperty("id").GetInt64();
        await page.GotoAsync($"/customers/{customer}");

        var call = page.Locator("form[data-act=interaction]");
        await call.Locator("select[name=LogChannel]").SelectOptionAsync("Phone");
        await call.Locator("input[name=LogSubject]").FillAsync("Called about the invoice");
        await call.GetByRole(AriaRole.Button, new() { Name = "Log" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/customers/{customer}$"));
        await page.Locator("[data-timeline] li.interaction", new() { HasTextString = "Called about the invoice" }).WaitForAsync();

        await page.Locator("form[data-act=note] textarea[name=NoteBody]").FillAsync("Prefers <script>alert(1)</script> calls after 5pm");
        await page.Locator("form[data-act=note]").GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        var note = page.Locator("[data-timeline] li.note a");
        await note.WaitForAsync();
        (await note.InnerTextAsync()).ShouldContain("<script>alert(1)</script>", Case.Sensitive, "shown as text, not run");

        var ticketForm = page.Locator("form[data-act=ticket]");
        await ticketForm.Locator("input[name=TicketSubject]").FillAsync("Invoice shows the wrong address");
        await ticketForm.GetByRole(AriaRole.Button, new() { Name = "Open ticket" }).ClickAsync();
        var ticketLink = page.Locator("[data-timeline] li.ticket a", new() { HasTextString = "Invoice shows the wrong address" });
        await ticketLink.WaitForAsync();

        var deal = page.Locator("form[data-act=deal]");
        await deal.Locator("input[name=DealTitle]").FillAsync("Second thermostat");
        await deal.Locator("input[name=DealAmount]").FillAsync("250");
        await deal.GetByRole(AriaRole.Button, new() { Name = "Start deal" }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/customers/{customer}$"));
        (await page.Locator("body").InnerTextAsync()).ShouldContain("Second thermostat");
        await RunningCrm.ScreenshotAsync(page, "46-customer-360-acted");

        await ticketLink.ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/tickets/\d+$"));
        (await page.Locator("[data-ticket-subject]").InnerTextAsync()).ShouldEndWith("Invoice shows the wrong address");
    }
}
