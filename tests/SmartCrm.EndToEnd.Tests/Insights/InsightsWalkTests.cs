using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Insights;

/// <summary>
/// The walk of issue 13 on the demo company with its trained models, in English and in Chinese: segments → bought-together
/// rules → a demand forecast → churn on the customer list → a 360 with churn reasons and next best actions → its
/// recommendations, one answered → a campaign started from a segment → launched → its audience counts → a response. Each step is one method taking the walk's state; <see cref="Steps"/> lists them in order,
/// so a step (forecasts, recommendations) is added by writing its method and appending it there.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class InsightsWalkTests(RunningCrm crm)
{
    /// <summary>What a step needs: the page, the language's expected words, where screenshots go, and what earlier steps found.</summary>
    public sealed class Walk(IPage page, Language language)
    {
        public IPage Page { get; } = page;
        public Language Language { get; } = language;
        public int Shot { get; set; }
        public int? Segment { get; set; }
        public long? Campaign { get; set; }
        public string? CampaignName { get; set; }

        public Task ScreenshotAsync(string step) => RunningCrm.ScreenshotAsync(Page, $"insights-walk-{Language.Code}-{++Shot:00}-{step}");
    }

    /// <summary>Words the walk expects on the pages, per language.</summary>
    public sealed record Language(string Code, string Locale, string Segments, string BoughtTogether, string WhyTheRisk, string DraftAudience, string LaunchedAudience, string Launched);

    public static readonly Language English = new("en", "en-US", "Segments", "Bought together", "Why the risk", "Audience if launched now", "Audience at launch", "Launched");
    public static readonly Language Chinese = new("zh", "zh-CN", "客户分群", "经常一起购买", "风险原因", "如果现在发起的受众", "发起时的受众", "已发起");

    private static readonly Func<Walk, Task>[] Steps =
    [
        SegmentsAsync, BasketRulesAsync, DemandForecastAsync, ProductFromARuleAsync, ChurnOnTheCustomerListAsync, CustomerInsightsAsync, RecommendationsAsync,
        CampaignToASegmentAsync, CampaignResponseAsync,
    ];

    [Fact]
    public Task The_insights_walk_in_english() => RunAsync(English);

    [Fact]
    public Task The_insights_walk_in_chinese() => RunAsync(Chinese);

    private async Task RunAsync(Language language)
    {
        var walk = new Walk(await crm.SignedInPageAsync(language.Locale), language);
        foreach (var step in Steps) await step(walk);
    }

    /// <summary>Opens <paramref name="path"/> until <paramref name="ready"/> matches: the demo's first trainings run in the background after start.</summary>
    private static async Task OpenWhenTrainedAsync(IPage page, string path, string ready, string what)
    {
        for (var attempt = 0; ; attempt++)
        {
            await page.GotoAsync(path);
            if (await page.Locator(ready).CountAsync() > 0) return;
            if (attempt > 300) throw new TimeoutException($"no {what} on {path} after ten minutes");
            await Task.Delay(2000);
        }
    }

    private static async Task SegmentsAsync(Walk walk)
    {
        var page = walk.Page;
        await OpenWhenTrainedAsync(page, "/segments", "table[data-segments] tr[data-segment]", "segments");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe(walk.Language.Segments);
        (await page.Locator("[data-k-choice]").CountAsync()).ShouldBe(1);
        var segments = page.Locator("table[data-segments] tr[data-segment]");
        (await segments.CountAsync()).ShouldBeInRange(2, 6);
        (await page.Locator("a[data-start-campaign]").CountAsync()).ShouldBe(await segments.CountAsync(), "each segment can start a campaign");
        await walk.ScreenshotAsync("segments");
    }

    private static async Task BasketRulesAsync(Walk walk)
    {
        var page = walk.Page;
        await OpenWhenTrainedAsync(page, "/baskets", "table[data-rules] tr[data-rule]", "basket rules");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe(walk.Language.BoughtTogether);
        (await page.Locator("table[data-rules] tr[data-rule]").CountAsync()).ShouldBeGreaterThan(0);
        await walk.ScreenshotAsync("basket-rules");
    }

    /// <summary>A product's weekly demand with its forecast and interval, and the chosen model's holdout error in words.</summary>
    private static async Task DemandForecastAsync(Walk walk)
    {
        var page = walk.Page;
        await OpenWhenTrainedAsync(page, "/forecasts?kind=demand", "[data-chart=forecast] svg", "demand forecast");
        var chart = page.Locator("[data-chart=forecast]");
        (await chart.Locator(".rz-line-series").CountAsync()).ShouldBe(2, "history and forecast");
        (await chart.Locator(".rz-range-area-series").CountAsync()).ShouldBe(1, "the interval as a shaded band");
        (await chart.Locator("[data-holdout]").InnerTextAsync()).ShouldContain("sMAPE");
        await walk.ScreenshotAsync("demand-forecast");
    }

    /// <summary>A rule's product opens its page: sales per month as a chart, what goes with it, who buys it, its demand ahead.</summary>
    private static async Task ProductFromARuleAsync(Walk walk)
    {
        var page = walk.Page;
        await page.GotoAsync("/baskets?sort=-lift");
        var product = page.Locator("table[data-rules] tr[data-rule] td a").First;
        var name = await product.InnerTextAsync();
        await product.ClickAsync();
        await page.WaitForURLAsync("**/products/*");
        (await page.Locator("h1[data-product-name]").InnerTextAsync()).ShouldBe(name);
        (await page.Locator("[data-chart=product-sales] svg .rz-column-series").CountAsync()).ShouldBe(1, "units per month as columns");
        (await page.Locator("[data-bought-with] tr[data-rule]").CountAsync()).ShouldBeGreaterThan(0, "the rule that led here holds this product");
        (await page.Locator("[data-buyers] tr[data-buyer]").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("[data-next-weeks]").CountAsync()).ShouldBe(1, "the demand forecast was trained in the step before");
        await walk.ScreenshotAsync("product");
    }

    private static async Task ChurnOnTheCustomerListAsync(Walk walk)
    {
        var page = walk.Page;
        await OpenWhenTrainedAsync(page, "/customers?sort=-churn", "table.list tbody td[data-churn]:not([data-churn=''])", "churn scores");
        var risks = await page.Locator("table.list tbody td[data-churn]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.getAttribute('data-churn'))");
        var scores = risks.Where(r => r.Length > 0).Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        scores.Count.ShouldBeGreaterThan(1);
        scores.ShouldBe(scores.OrderByDescending(s => s).ToList(), "the riskiest first");
        await walk.ScreenshotAsync("customers-by-churn");
    }

    private static async Task CustomerInsightsAsync(Walk walk)
    {
        var page = walk.Page;
        await page.Locator("table.list tbody a").First.ClickAsync();
        await page.WaitForURLAsync(CustomerPage());
        var churn = page.Locator("section[data-churn]");
        (await churn.InnerTextAsync()).ShouldContain(walk.Language.WhyTheRisk);
        (await churn.Locator("li[data-reason]").CountAsync()).ShouldBe(3);
        (await page.Locator("section[data-next-best-actions] li").CountAsync()).ShouldBeGreaterThan(0);
        await walk.ScreenshotAsync("customer-360");
    }

    /// <summary>
    /// The same 360's recommendations, each with its reason; the rep marks the first one as interesting, and it leaves the list
    /// (answered: it will teach the next training instead).
    /// </summary>
    private static async Task RecommendationsAsync(Walk walk)
    {
        var page = walk.Page;
        var customer = page.Url;
        await OpenWhenTrainedAsync(page, customer, "section[data-recommendations] li[data-recommendation]", "recommendations");
        var items = page.Locator("section[data-recommendations] li[data-recommendation]");
        var first = await items.First.GetAttributeAsync("data-recommendation");
        foreach (var reason in await items.Locator("[data-reason]").AllInnerTextsAsync()) reason.Trim().ShouldNotBeEmpty();
        await walk.ScreenshotAsync("recommendations");
        await items.First.Locator("button[data-answer=accepted]").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        (await page.Locator($"section[data-recommendations] li[data-recommendation='{first}']").CountAsync()).ShouldBe(0, "an answered recommendation leaves the list");
    }

    private static async Task CampaignToASegmentAsync(Walk walk)
    {
        var page = walk.Page;
        await page.GotoAsync("/segments");
        // The segment with the highest churn: the one a retention campaign is for.
        var segments = page.Locator("table[data-segments] tr[data-segment]");
        var count = await segments.CountAsync();
        var (best, risk) = (0, -1.0);
        for (var i = 0; i < count; i++)
        {
            var churn = double.Parse(await segments.Nth(i).Locator("td[data-churn]").GetAttributeAsync("data-churn") ?? "", System.Globalization.CultureInfo.InvariantCulture);
            if (churn > risk) (best, risk) = (i, churn);
        }
        var number = int.Parse(await segments.Nth(best).GetAttributeAsync("data-segment") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        walk.Segment = number;
        await segments.Nth(best).Locator("a[data-start-campaign]").ClickAsync();
        await page.WaitForURLAsync(new Regex($@"/campaigns/new\?segment={number}$"));
        (await page.Locator("select[name=SegmentNumber]").InputValueAsync()).ShouldBe(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        walk.CampaignName = $"Win back segment {number} ({walk.Language.Code})";
        await page.FillAsync("input[name=Name]", walk.CampaignName);
        await page.SelectOptionAsync("select[name=ChannelName]", "Email");
        await page.FillAsync("textarea[name=MessageA]", walk.Language.Code == "zh" ? "我们想念您：滤芯八折。" : "We miss you: 20 % off filters this month.");
        await page.FillAsync("textarea[name=MessageB]", walk.Language.Code == "zh" ? "免费上门保养一次。" : "A free maintenance visit for your devices.");
        await walk.ScreenshotAsync("campaign-new");
        await page.ClickAsync("form[data-campaign-form] button[type=submit]");
        await page.WaitForURLAsync(CampaignPage());
        walk.Campaign = long.Parse(CampaignPage().Match(page.Url).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var audience = page.Locator("section[data-audience]");
        (await audience.Locator("h2").InnerTextAsync()).ShouldBe(walk.Language.DraftAudience);
        async Task<int> CountAsync(string name) => int.Parse(await audience.Locator($"tr[data-count={name}] td").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var inAudience = await CountAsync("audience");
        var eligible = await CountAsync("eligible");
        inAudience.ShouldBeGreaterThan(0);
        (await CountAsync("no-consent")).ShouldBeGreaterThan(0, "the demo has customers who refused marketing e-mail");
        (eligible + await CountAsync("no-consent") + await CountAsync("no-address")).ShouldBe(inAudience);
        await walk.ScreenshotAsync("campaign-draft");

        await page.ClickAsync("button[data-launch]");
        await page.Locator("[data-status=Launched]").WaitForAsync();
        (await audience.Locator("h2").InnerTextAsync()).ShouldBe(walk.Language.LaunchedAudience);
        (await CountAsync("audience")).ShouldBe(inAudience);
        (await CountAsync("hold-out")).ShouldBeGreaterThan(0);
        (await CountAsync("messaged") + await CountAsync("hold-out")).ShouldBe(eligible);
        // Nobody has answered a minute after the launch: the chart says so until replies and orders come in; the table has the groups.
        (await page.Locator("section[data-chart]").CountAsync()).ShouldBe(1, "the results chart");
        (await page.Locator("table[data-results] tr[data-group]").CountAsync()).ShouldBe(3, "two variants and the hold-out");
        await walk.ScreenshotAsync("campaign-launched");
    }

    /// <summary>
    /// A messaged customer's timeline shows the send; their reply (logged here through the API, as the inbox would) shows on the
    /// campaign as a response of their variant, drawn against the hold-out.
    /// </summary>
    private static async Task CampaignResponseAsync(Walk walk)
    {
        var page = walk.Page;
        var sends = await Api.GetAsync(page, "/api/v1/interactions?direction=Outbound&sort=-id&pageSize=1");
        var send = sends.GetProperty("items")[0];
        send.GetProperty("subject").GetString()!.ShouldStartWith(walk.CampaignName!);
        var customer = send.GetProperty("customerId").GetInt64();
        await page.GotoAsync($"/customers/{customer}");
        (await page.Locator("section[data-timeline]").InnerTextAsync()).ShouldContain(walk.CampaignName!);
        await walk.ScreenshotAsync("send-on-the-timeline");

        await Api.PostAsync(page, "/api/v1/interactions", new { customerId = customer, channel = "Email", direction = "Inbound", subject = "Re: " + walk.CampaignName });
        await page.GotoAsync($"/campaigns/{walk.Campaign}");
        (await page.Locator("section[data-chart] svg").CountAsync()).ShouldBeGreaterThan(0, "a response is drawn");
        var responded = await page.Locator("table[data-results] tr[data-group]").EvaluateAllAsync<int[]>("rows => rows.map(r => +r.cells[2].innerText)");
        responded.Sum().ShouldBe(1);
        await walk.ScreenshotAsync("campaign-response");
    }

    [GeneratedRegex(@"/customers/(\d+)$")]
    private static partial Regex CustomerPage();

    [GeneratedRegex(@"/campaigns/(\d+)$")]
    private static partial Regex CampaignPage();
}
