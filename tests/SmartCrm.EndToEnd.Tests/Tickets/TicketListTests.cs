using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Tickets;

/// <summary>The ticket list pages on the server and says which rows it shows, so no open ticket is ever out of reach.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class TicketListTests(RunningCrm crm)
{
    [Fact]
    public async Task Every_open_ticket_is_reachable_and_the_list_says_which_rows_it_shows()
    {
        var page = await crm.SignedInPageAsync();
        var customer = await Api.PostAsync(page, "/api/v1/customers", new { name = "Ticket List Customer", email = $"{Guid.NewGuid():N}@example.com" });
        var open = await OpenAsync(page);
        // The old list stopped at 200 rows. The demo keeps its open tickets recent (a few dozen), so the customer brings the
        // desk past that with questions of their own.
        for (var n = open; n <= 200; n++)
            await Api.PostAsync(page, "/api/v1/tickets", new { customerId = customer.GetProperty("id").GetInt64(), kind = "Question", subject = $"Question {n} about the manual", priority = "Low" });
        var urgent = await Api.PostAsync(page, "/api/v1/tickets", new { customerId = customer.GetProperty("id").GetInt64(), kind = "Fault", subject = "Boiler leaking into the flat below", priority = "Urgent" });
        var id = urgent.GetProperty("id").GetInt64();
        open = await OpenAsync(page);
        open.ShouldBeGreaterThan(200, "more open tickets than the old list showed");

        await page.GotoAsync("/tickets");
        (await page.Locator("[data-showing]").First.InnerTextAsync()).ShouldBe($"Showing 1–25 of {open:N0}");
        (await page.Locator("table.list tbody tr").CountAsync()).ShouldBe(25);
        (await Priorities(page))[0].ShouldBe("Urgent", "the most urgent tickets come first");
        await RunningCrm.ScreenshotAsync(page, "30-tickets-paged");

        await page.GetByRole(AriaRole.Link, new() { Name = "#", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("sort=-id"));
        (await page.Locator("table.list tbody tr").First.Locator("td").First.InnerTextAsync()).ShouldBe(id.ToString(), "newest first shows the new urgent ticket on top");
        await RunningCrm.ScreenshotAsync(page, "31-tickets-newest-first");

        var last = (open + 24) / 25;
        await page.GotoAsync($"/tickets?page={last}");
        (await page.Locator("[data-showing]").First.InnerTextAsync()).ShouldBe($"Showing {(last - 1) * 25 + 1:N0}–{open:N0} of {open:N0}");
        (await page.GetByRole(AriaRole.Link, new() { Name = "Next ›" }).CountAsync()).ShouldBe(0);
        var seen = new HashSet<string>();
        for (var p = 1; p <= last; p++)
        {
            await page.GotoAsync($"/tickets?page={p}");
            foreach (var cell in await page.Locator("table.list tbody tr td:first-child").AllInnerTextsAsync()) seen.Add(cell);
        }
        seen.Count.ShouldBe(open, "every open ticket is on exactly one page");
        seen.ShouldContain(id.ToString());
    }

    [Fact]
    public async Task The_paged_ticket_list_speaks_chinese()
    {
        var page = await crm.SignedInPageAsync("zh-CN");
        await page.GotoAsync("/tickets?page=2");
        (await page.Locator("[data-showing]").First.InnerTextAsync()).ShouldStartWith("第 26–50 条，共");
        await RunningCrm.ScreenshotAsync(page, "32-tickets-paged-zh");
    }

    private static async Task<int> OpenAsync(IPage page)
    {
        var open = 0;
        foreach (var status in new[] { "New", "Open", "Pending" }) open += await Api.TotalAsync(page, $"/api/v1/tickets?status={status}");
        return open;
    }

    private static async Task<IReadOnlyList<string>> Priorities(IPage page) => await page.Locator("table.list tbody tr .badge").AllInnerTextsAsync();
}
