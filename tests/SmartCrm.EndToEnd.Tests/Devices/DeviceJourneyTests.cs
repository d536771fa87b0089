using System.Text.Json;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Devices;

/// <summary>A device's reading reaches the console live; a critical one becomes an alarm and a ticket that support handles.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeviceJourneyTests(RunningCrm crm)
{
    [Fact]
    public async Task A_reading_shows_live_and_a_critical_one_becomes_an_alarm_support_acknowledges()
    {
        var page = await crm.SignedInPageAsync();
        var api = page.APIRequest;
        var customer = await PostAsync(api, "/api/v1/customers", new { name = "Device Journey Customer", email = $"{Guid.NewGuid():N}@example.com" });
        var model = "WH-E2E-" + Guid.NewGuid().ToString("N")[..4];
        await PostAsync(api, "/api/v1/alarm-rules", new { name = "Leak", model, key = "leak", comparison = "AtLeast", threshold = 1, severity = "Critical", alarmType = "Leak" });
        var device = await PostAsync(api, "/api/v1/devices", new { name = "Basement heater", customerId = customer.GetProperty("id").GetInt64(), model });
        var id = device.GetProperty("id").GetInt64();
        var token = device.GetProperty("accessToken").GetString();

        await page.GotoAsync($"/devices/{id}");
        await page.Locator("[data-live-status].on").WaitForAsync();
        await Telemetry(api, token!, new { tankTemperature = 61.5 });
        await page.Locator("tr[data-key=tankTemperature] [data-value]").Filter(new() { HasText = "61.5" }).WaitForAsync();
        await RunningCrm.ScreenshotAsync(page, "10-device-live");

        await Telemetry(api, token!, new { leak = 1 });
        await page.Locator("tr[data-key=leak] [data-value]").Filter(new() { HasText = "1" }).WaitForAsync();
        // The alarm is raised just after the reading is stored; the page shows it when loaded again.
        for (var i = 0; i < 50 && await page.Locator("tr[data-alarm]").CountAsync() == 0; i++)
        {
            await Task.Delay(200);
            await page.ReloadAsync();
        }
        var alarm = page.Locator("tr[data-alarm]").First;
        (await alarm.InnerTextAsync()).ShouldContain("Critical");
        (await alarm.InnerTextAsync()).ShouldContain("Ticket #");
        await alarm.GetByRole(AriaRole.Combobox).SelectOptionAsync("acknowledge");
        await alarm.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.Locator("tr[data-alarm]").First.Filter(new() { HasText = "Acknowledged" }).WaitForAsync();
        await RunningCrm.ScreenshotAsync(page, "11-device-alarm-acknowledged");

        await page.GotoAsync($"/customers/{customer.GetProperty("id").GetInt64()}");
        (await page.Locator($"[data-device='{id}']").InnerTextAsync()).ShouldContain("1 open alarms");
        await RunningCrm.ScreenshotAsync(page, "12-customer-with-device");

        await page.GotoAsync("/alarms");
        (await page.Locator("tr[data-alarm]").Filter(new() { HasText = "Basement heater" }).CountAsync()).ShouldBe(1);
        await RunningCrm.ScreenshotAsync(page, "13-alarms");
    }

    private static async Task<JsonElement> PostAsync(IAPIRequestContext api, string path, object body)
    {
        var response = await api.PostAsync(path, new() { DataObject = body });
        response.Status.ShouldBe(201, await response.TextAsync());
        return (await response.JsonAsync())!.Value;
    }

    private static async Task Telemetry(IAPIRequestContext api, string token, object values)
    {
        var response = await api.PostAsync($"/api/v1/{token}/telemetry", new() { DataObject = values });
        response.Status.ShouldBe(200, await response.TextAsync());
    }
}
