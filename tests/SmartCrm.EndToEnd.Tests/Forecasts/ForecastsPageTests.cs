using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Forecasts;

/// <summary>
/// The forecasts page on the demo company: a product's weekly demand with its forecast and interval, the model chosen and its
/// holdout error in words, another product picked from the list, a segment's revenue, and the Models page's chart of the
/// holdout metric over versions; readable in light and dark, English and Chinese. The demo's first forecasts train at start-up.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ForecastsPageTests(RunningCrm crm)
{
    private static async Task<ILocator> OpenAsync(IPage page, string address)
    {
        // The scheduled first trainings (baskets, churn, segments, then forecasts) take a while after start: look again until drawn.
        for (var attempt = 0; ; attempt++)
        {
            await page.GotoAsync(address);
            if (await page.Locator("[data-chart=forecast] svg").CountAsync() > 0) return page.Locator("[data-chart=forecast]");
            if (attempt > 200) throw new TimeoutException($"no forecast drawn at {address} after ten minutes");
            await Task.Delay(3000);
        }
    }

    [Theory]
    [InlineData("en-US", false)]
    [InlineData("zh-CN", true)]
    public async Task A_products_demand_and_a_segments_revenue_are_drawn_with_their_forecast_interval_and_holdout_error(string locale, bool dark)
    {
        var page = await crm.SignedInPageAsync(locale);
        await page.EmulateMediaAsync(new() { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });
        var name = $"{(locale == "en-US" ? "en" : "zh")}-{(dark ? "dark" : "light")}";

        var chart = await OpenAsync(page, "/forecasts?kind=demand");
        (await chart.Locator(".rz-line-series").CountAsync()).ShouldBe(2, "history and forecast");
        // The interval is one shaded band (not two dashed lines): a filled area, translucent so the grid shows through on either theme.
        var band = chart.Locator(".rz-range-area-series path[fill^='rgba(224, 123, 0']");
        (await band.CountAsync()).ShouldBeGreaterThan(0);
        (await chart.Locator("[stroke-dasharray]").CountAsync()).ShouldBe(0);
        var words = await chart.Locator("[data-holdout]").InnerTextAsync();
        words.ShouldContain("sMAPE");
        if (locale == "zh-CN") Regex.IsMatch(words, @"\p{IsCJKUnifiedIdeographs}").ShouldBeTrue(words);
        else words.ShouldContain("held out");
        await ReadableAsync(page, dark);
        await RunningCrm.ScreenshotAsync(page, $"forecasts-01-demand-{name}");

        // Another product from the list: its own weeks, 52 of history and 26 ahead.
        var options = await page.Locator("select[data-subject] option").AllAsync();
        options.Count.ShouldBeGreaterThan(10);
        var second = await options[1].GetAttributeAsync("value");
        await page.Locator("select[data-subject]").SelectOptionAsync(second!);
        await page.Locator("form.range button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex($"id={second}$"));
        await chart.Locator("details summary").ClickAsync();
        var weeks = await chart.Locator("table[data-numbers] tbody tr").CountAsync();
        weeks.ShouldBe(52 + 26);
        await RunningCrm.ScreenshotAsync(page, $"forecasts-02-demand-numbers-{name}");

        chart = await OpenAsync(page, "/forecasts?kind=revenue");
        (await page.Locator("select[data-subject] option").CountAsync()).ShouldBeGreaterThan(1, "every customer and each segment");
        // Inside the closed "Numbers" box: its text, not what is shown.
        (await chart.Locator("table[data-numbers] tbody tr td").Nth(1).TextContentAsync() ?? "").Trim().ShouldStartWith("$");
        await RunningCrm.ScreenshotAsync(page, $"forecasts-03-revenue-{name}");

        await page.GotoAsync("/models");
        var metric = page.Locator("[data-chart=model-demand-forecast]");
        await metric.Locator("svg").WaitForAsync();
        await RunningCrm.ScreenshotAsync(page, $"forecasts-04-model-metrics-{name}");
    }

    /// <summary>The forecast chart's axis labels stand out from its card (WCAG contrast of at least 4.5); the card is dark on the dark theme.</summary>
    private static async Task ReadableAsync(IPage page, bool dark)
    {
        var colours = await page.EvaluateAsync<string[]>("""
            () => {
                const card = document.querySelector('[data-chart=forecast]');
                const label = card.querySelector('.rz-tick-text');
                return [getComputedStyle(card).backgroundColor, getComputedStyle(label).fill];
            }
            """);
        var background = Luminance(colours[0]);
        var text = Luminance(colours[1]);
        var contrast = (Math.Max(background, text) + 0.05) / (Math.Min(background, text) + 0.05);
        contrast.ShouldBeGreaterThanOrEqualTo(4.5, $"labels {colours[1]} on {colours[0]}");
        (background < 0.2).ShouldBe(dark, $"card {colours[0]}");
    }

    private static double Luminance(string css)
    {
        var parts = css[(css.IndexOf('(', StringComparison.Ordinal) + 1)..css.IndexOf(')', StringComparison.Ordinal)].Split(',').Take(3)
            .Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture) / 255).Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4)).ToArray();
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2];
    }
}
