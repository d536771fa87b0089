using System.Globalization;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Devices;

/// <summary>Every time on the device page is in the user's time zone (the browser's), in one format, and says which zone it is.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeviceTimeTests(RunningCrm crm)
{
    [Fact]
    public async Task The_device_page_shows_every_time_in_the_users_zone_and_names_it()
    {
        var page = await crm.SignedInPageAsync(timeZone: "Asia/Shanghai");
        var device = await Api.PostAsync(page, "/api/v1/devices", new { name = "Time Zone Purifier", model = "AP-300" });
        var token = device.GetProperty("accessToken").GetString();
        // 2025-01-01 00:00 UTC is 08:00 in Shanghai.
        (await page.APIRequest.PostAsync($"/api/v1/{token}/telemetry", new() { DataObject = new { ts = 1735689600000, values = new { pm25 = 12 } } })).Status.ShouldBe(200);

        await page.GotoAsync($"/devices/{device.GetProperty("id").GetInt64()}");
        await page.Locator("[data-time-zone]").Filter(new() { HasText = "Asia/Shanghai" }).WaitForAsync();
        (await page.Locator("tr[data-key=pm25] [data-ts]").InnerTextAsync()).ShouldBe("2025-01-01 08:00:00");
        var seen = page.Locator("[data-last-seen] time");
        var utc = DateTimeOffset.Parse(await seen.GetAttributeAsync("datetime") ?? "", CultureInfo.InvariantCulture);
        (await seen.InnerTextAsync()).ShouldBe(utc.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), "last seen in the same zone");

        await page.Locator("[data-live-status].on").WaitForAsync();
        (await page.APIRequest.PostAsync($"/api/v1/{token}/telemetry", new() { DataObject = new { ts = 1735693200000, values = new { pm25 = 14 } } })).Status.ShouldBe(200);
        await page.Locator("tr[data-key=pm25] [data-value]").Filter(new() { HasText = "14" }).WaitForAsync();
        (await page.Locator("tr[data-key=pm25] [data-ts]").InnerTextAsync()).ShouldBe("2025-01-01 09:00:00", "a live reading is shown as the server shows one");
        await RunningCrm.ScreenshotAsync(page, "35-device-times-shanghai");
    }

    [Fact]
    public async Task Lists_show_times_in_the_users_zone_in_chinese_too()
    {
        var page = await crm.SignedInPageAsync("zh-CN", timeZone: "America/New_York");
        await page.GotoAsync("/tickets");
        await page.Locator("[data-time-zone]").Filter(new() { HasText = "America/New_York" }).WaitForAsync();
        var due = page.Locator("table.list tbody tr time").First;
        var utc = DateTimeOffset.Parse(await due.GetAttributeAsync("datetime") ?? "", CultureInfo.InvariantCulture);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        (await due.InnerTextAsync()).ShouldBe(TimeZoneInfo.ConvertTime(utc, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        await RunningCrm.ScreenshotAsync(page, "36-tickets-new-york-zh");
    }
}
