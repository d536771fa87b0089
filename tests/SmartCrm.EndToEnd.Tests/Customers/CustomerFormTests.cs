using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Customers;

/// <summary>Optional fields left blank in the console's forms are saved as absent, not refused as invalid.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class CustomerFormTests(RunningCrm crm)
{
    [Fact]
    public async Task A_customer_with_no_email_and_no_phone_is_saved()
    {
        var page = await crm.SignedInPageAsync();
        await page.GotoAsync("/customers/new");
        var name = "Walk-in " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await page.WaitForURLAsync(CustomerPage());
        (await page.Locator("[data-customer-name]").InnerTextAsync()).ShouldBe(name);
        await RunningCrm.ScreenshotAsync(page, "39-customer-without-email-or-phone");
    }

    [Fact]
    public async Task Clearing_a_customers_email_and_phone_saves_them_as_absent()
    {
        var page = await crm.SignedInPageAsync("zh-CN");
        var customer = await Api.PostAsync(page, "/api/v1/customers", new { name = "Moving Customer", email = $"{Guid.NewGuid():N}@example.com", phone = "+1 555 010 0142" });
        var id = customer.GetProperty("id").GetInt64();
        await page.GotoAsync($"/customers/{id}/edit");
        await page.Locator("input[type=email]").FillAsync("");
        await page.Locator("input[type=tel]").FillAsync("");
        await RunningCrm.ScreenshotAsync(page, "40-customer-clear-email-zh");
        await page.Locator("main button[type=submit]").ClickAsync();

        await page.WaitForURLAsync(new Regex($"/customers/{id}$"));
        var saved = await Api.GetAsync(page, $"/api/v1/customers/{id}");
        saved.TryGetProperty("email", out var email).ShouldBeTrue();
        email.ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        saved.GetProperty("phone").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [GeneratedRegex(@"/customers/(\d+)$")]
    private static partial Regex CustomerPage();
}
