using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Customers;

/// <summary>The duplicate review shows only messages the console wrote, never text a link carries.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DuplicateReviewTests(RunningCrm crm)
{
    [Fact]
    public async Task Text_in_the_address_is_not_shown_as_a_message()
    {
        var page = await crm.SignedInPageAsync();
        await page.GotoAsync("/customers/duplicates?done=" + Uri.EscapeDataString("Your account is locked. Call +1 555 0100 to unlock it."));

        (await page.Locator("main").InnerTextAsync()).ShouldNotContain("unlock");
        await RunningCrm.ScreenshotAsync(page, "41-duplicates-ignores-address-text");
    }

    [Fact]
    public async Task A_scan_reports_what_it_did_in_the_users_language()
    {
        var page = await crm.SignedInPageAsync("zh-CN");
        await page.GotoAsync("/customers/duplicates");
        await page.Locator("main form button[type=submit]").First.ClickAsync();
        await page.Locator("[data-review-message]").WaitForAsync();
        (await page.Locator("[data-review-message]").InnerTextAsync()).ShouldStartWith("已扫描");
        await RunningCrm.ScreenshotAsync(page, "42-duplicates-scanned-zh");
    }
}
