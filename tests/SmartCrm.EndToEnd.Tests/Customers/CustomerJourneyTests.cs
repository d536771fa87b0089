using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Customers;

/// <summary>The first journey of every user: sign in, add a customer, find it, see its whole picture.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class CustomerJourneyTests(RunningCrm crm)
{
    [Fact]
    public async Task Sign_in_create_a_customer_find_it_and_open_its_360_page()
    {
        var page = await crm.SignedInPageAsync(freshSignIn: true);
        (await page.Locator("[data-figure=customers]").InnerTextAsync()).ShouldNotBe("0", "the demo company is loaded");
        await RunningCrm.ScreenshotAsync(page, "01-dashboard");

        await page.GotoAsync("/customers/new");
        var surname = "Journey" + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Name").FillAsync($"Hedy {surname}");
        await page.GetByLabel("Email").FillAsync($"hedy.{surname.ToLowerInvariant()}@example.com");
        await page.GetByLabel("Phone").FillAsync("+1 555 010 0199");
        await page.GetByLabel("City").FillAsync("Vienna");
        await RunningCrm.ScreenshotAsync(page, "02-new-customer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await page.WaitForURLAsync(CustomerPage());
        (await page.Locator("[data-customer-name]").InnerTextAsync()).ShouldBe($"Hedy {surname}");
        var id = CustomerPage().Match(page.Url).Groups[1].Value;
        await RunningCrm.ScreenshotAsync(page, "03-customer-360");

        await page.GotoAsync("/customers");
        await page.GetByRole(AriaRole.Searchbox).FillAsync(surname);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("q=" + surname));
        var link = page.GetByRole(AriaRole.Link, new() { Name = $"Hedy {surname}" });
        (await link.CountAsync()).ShouldBe(1);
        await RunningCrm.ScreenshotAsync(page, "04-search");
        await link.ClickAsync();
        await page.WaitForURLAsync(new Regex($"/customers/{id}$"));
    }

    [Fact]
    public async Task A_demo_customer_page_shows_orders_and_interactions_on_the_timeline()
    {
        var page = await crm.SignedInPageAsync();
        await page.GotoAsync("/customers?kind=Person");
        await page.Locator("table.list tbody a").First.ClickAsync();
        await page.WaitForURLAsync(CustomerPage());
        (await page.Locator(".timeline li").CountAsync()).ShouldBeGreaterThan(0);
        await RunningCrm.ScreenshotAsync(page, "05-demo-customer");
    }

    [Fact]
    public async Task The_console_speaks_chinese_to_a_chinese_browser()
    {
        var page = await crm.SignedInPageAsync("zh-CN");
        (await page.Locator("nav").InnerTextAsync()).ShouldContain("客户");
        await page.GotoAsync("/tickets");
        await RunningCrm.ScreenshotAsync(page, "06-tickets-zh");
        await page.GotoAsync("/pipeline");
        await RunningCrm.ScreenshotAsync(page, "07-pipeline-zh");
    }

    [GeneratedRegex(@"/customers/(\d+)$")]
    private static partial Regex CustomerPage();
}
