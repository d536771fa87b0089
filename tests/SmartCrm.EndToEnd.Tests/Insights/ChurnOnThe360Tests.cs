using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Insights;

/// <summary>
/// The sales rep's path to a customer at risk: the customer list sorted by churn risk, the riskiest customer's 360 with the
/// reasons and the next best actions, in English and in Chinese. The demo's first churn training runs at start-up.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ChurnOnThe360Tests(RunningCrm crm)
{
    private static async Task OpenRiskiestCustomerAsync(IPage page)
    {
        // The scheduled first training takes some seconds after start: look again until the list shows scores.
        for (var attempt = 0; ; attempt++)
        {
            await page.GotoAsync("/customers?sort=-churn");
            if (await page.Locator("table.list tbody td[data-churn]").CountAsync() > 0) break;
            if (attempt > 60) throw new TimeoutException("no churn scores on the customer list after two minutes");
            await Task.Delay(2000);
        }
        await page.Locator("table.list tbody a").First.ClickAsync();
        await page.WaitForURLAsync(CustomerPage());
    }

    [Fact]
    public async Task The_riskiest_customer_shows_churn_reasons_and_next_best_actions_in_english()
    {
        var page = await crm.SignedInPageAsync();
        await OpenRiskiestCustomerAsync(page);
        var churn = page.Locator("section[data-churn]");
        (await churn.GetAttributeAsync("data-churn")).ShouldBe("high");
        (await churn.InnerTextAsync()).ShouldContain("Why the risk");
        (await churn.Locator("li[data-reason]").CountAsync()).ShouldBe(3);
        var actions = page.Locator("section[data-next-best-actions] li");
        (await actions.CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("section[data-next-best-actions] li[data-action=retention]").InnerTextAsync()).ShouldContain("Call to keep this customer");
        await RunningCrm.ScreenshotAsync(page, "insights-01-360-churn-en");
    }

    [Fact]
    public async Task The_riskiest_customer_shows_churn_reasons_and_next_best_actions_in_chinese()
    {
        var page = await crm.SignedInPageAsync("zh-CN");
        await OpenRiskiestCustomerAsync(page);
        var churn = page.Locator("section[data-churn]");
        (await churn.InnerTextAsync()).ShouldContain("风险原因");
        var reasons = await churn.Locator("li[data-reason]").AllInnerTextsAsync();
        reasons.Count.ShouldBe(3);
        reasons.ShouldAllBe(r => Regex.IsMatch(r, @"\p{IsCJKUnifiedIdeographs}"));
        (await page.Locator("section[data-next-best-actions]").InnerTextAsync()).ShouldContain("致电挽留该客户");
        await RunningCrm.ScreenshotAsync(page, "insights-02-360-churn-zh");
    }

    [GeneratedRegex(@"/customers/(\d+)$")]
    private static partial Regex CustomerPage();
}
