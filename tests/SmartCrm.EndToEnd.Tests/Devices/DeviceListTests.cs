using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Devices;

/// <summary>The device list pages on the server, sorts, and says which rows it shows.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeviceListTests(RunningCrm crm)
{
    [Fact]
    public async Task Every_device_is_reachable_and_the_list_says_which_rows_it_shows()
    {
        var page = await crm.SignedInPageAsync();
        var name = "Zz Last Heater " + Guid.NewGuid().ToString("N")[..6];
        await Api.PostAsync(page, "/api/v1/devices", new { name, model = "WH-50" });
        var total = await Api.TotalAsync(page, "/api/v1/devices");
        total.ShouldBeGreaterThan(200);

        await page.GotoAsync("/devices");
        (await page.Locator("[data-showing]").First.InnerTextAsync()).ShouldBe($"Showing 1–25 of {total:N0}");
        await RunningCrm.ScreenshotAsync(page, "33-devices-paged");
        var last = (total + 24) / 25;
        await page.GotoAsync($"/devices?page={last}");
        (await page.Locator("[data-showing]").First.InnerTextAsync()).ShouldBe($"Showing {(last - 1) * 25 + 1:N0}–{total:N0} of {total:N0}");
        (await page.Locator("table.list tbody tr").Last.InnerTextAsync()).ShouldContain(name, customMessage: "sorted by name, it is the last device");

        await page.GotoAsync("/devices");
        await page.GetByRole(AriaRole.Link, new() { Name = "Name", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("sort=-name"));
        (await page.Locator("table.list tbody tr").First.InnerTextAsync()).ShouldContain(name);
        (await page.Locator("th[aria-sort=descending]").InnerTextAsync()).ShouldContain("Name");
        await RunningCrm.ScreenshotAsync(page, "34-devices-by-name-descending");
    }
}
