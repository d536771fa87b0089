using System.Globalization;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Web;

/// <summary>
/// The charts in a real browser: the dashboard's five and a device's history are drawn, and readable on the light and the dark
/// theme (the system's choice), in English and Chinese.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChartsTests(RunningCrm crm)
{
    [Theory]
    [InlineData("en-US", false)]
    [InlineData("en-US", true)]
    [InlineData("zh-CN", false)]
    [InlineData("zh-CN", true)]
    public async Task The_dashboard_and_a_device_history_are_drawn_and_readable(string locale, bool dark)
    {
        var page = await crm.SignedInPageAsync(locale, timeZone: "Asia/Shanghai");
        await page.EmulateMediaAsync(new() { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });
        var name = $"{(locale == "en-US" ? "en" : "zh")}-{(dark ? "dark" : "light")}";

        await page.GotoAsync("/");
        foreach (var chart in new[] { "pipeline", "revenue", "tickets", "fleet", "alarms" })
        {
            // A chart without numbers (the demo's fleet has raised no alarm yet) says so instead of drawing nothing.
            await page.Locator($"[data-chart={chart}] svg, [data-chart={chart}] [data-no-data]").First.WaitForAsync();
        }
        await RunningCrm.ScreenshotAsync(page, $"50-dashboard-charts-{name}");
        foreach (var chart in new[] { "pipeline", "revenue", "tickets" }) (await page.Locator($"[data-chart={chart}] svg").CountAsync()).ShouldBe(1, chart);
        // The demo company has a year of orders: the revenue line has a point for each of twelve months.
        (await page.Locator("[data-chart=revenue] .rz-line-series .rz-marker").CountAsync()).ShouldBe(12);
        (await page.Locator("[data-chart=pipeline] .rz-column-series path").CountAsync()).ShouldBe(4);
        await ReadableAsync(page, "[data-chart=pipeline]", dark);

        var device = await Api.PostAsync(page, "/api/v1/devices", new { name = $"Chart Thermostat {name}", model = "TH-100" });
        var token = device.GetProperty("accessToken").GetString();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var readings = Enumerable.Range(0, 48).Select(i => new
        {
            ts = now - (47 - i) * 1_800_000L,
            values = new { roomTemperature = Math.Round(21 + 2 * Math.Sin(i / 6.0), 2), humidity = 45 + i % 5 },
        }).ToArray();
        (await page.APIRequest.PostAsync($"/api/v1/{token}/telemetry", new() { DataObject = readings })).Status.ShouldBe(200);

        await page.GotoAsync($"/devices/{device.GetProperty("id").GetInt64()}?range=day");
        var temperature = page.Locator("[data-chart=roomTemperature]");
        await temperature.Locator("svg").WaitForAsync();
        await RunningCrm.ScreenshotAsync(page, $"51-device-history-{name}");
        (await temperature.Locator("h2").InnerTextAsync()).ShouldBe("roomTemperature (°C)");
        (await page.Locator("[data-chart=humidity] h2").InnerTextAsync()).ShouldBe("humidity (%)");
        // Half-hourly readings in ten-minute intervals: a point per reading of the last day, the newest one now in Shanghai.
        var path = await temperature.Locator(".rz-line-series path").First.GetAttributeAsync("d") ?? "";
        path.Count(c => c == 'L').ShouldBeInRange(46, 47);
        await temperature.Locator("details summary").ClickAsync();
        var rows = await temperature.Locator("table[data-numbers] tbody tr td:first-child").AllTextContentsAsync();
        rows.Count.ShouldBeInRange(47, 48);
        var shanghai = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime;
        var newest = DateTime.ParseExact(rows[^1].Trim(), "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        (shanghai - newest).ShouldBeInRange(TimeSpan.Zero, TimeSpan.FromMinutes(15), "the newest interval starts in the last ten minutes of Shanghai's clock");
        await ReadableAsync(page, "[data-chart=roomTemperature]", dark);
        await RunningCrm.ScreenshotAsync(page, $"51-device-history-{name}");
    }

    /// <summary>The chart's axis labels stand out from its card (WCAG contrast of at least 4.5), and the card is dark on the dark theme.</summary>
    private static async Task ReadableAsync(IPage page, string chart, bool dark)
    {
        var colours = await page.EvaluateAsync<string[]>($$"""
            () => {
                const card = document.querySelector('{{chart}}');
                const label = card.querySelector('.rz-tick-text');
                return [getComputedStyle(card).backgroundColor, getComputedStyle(label).fill];
            }
            """);
        var background = Luminance(colours[0]);
        var text = Luminance(colours[1]);
        var contrast = (Math.Max(background, text) + 0.05) / (Math.Min(background, text) + 0.05);
        contrast.ShouldBeGreaterThanOrEqualTo(4.5, $"{chart}: labels {colours[1]} on {colours[0]}");
        (background < 0.2).ShouldBe(dark, $"{chart}: card {colours[0]}");
    }

    /// <summary>Relative luminance of a CSS "rgb(r, g, b)" colour.</summary>
    private static double Luminance(string css)
    {
        var parts = css[(css.IndexOf('(', StringComparison.Ordinal) + 1)..css.IndexOf(')', StringComparison.Ordinal)].Split(',').Take(3)
            .Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture) / 255).Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4)).ToArray();
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2];
    }
}
