using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Overview;

/// <summary>
/// A device's history on its page: a line per numeric key over the chosen range, averaged per interval by the database, in
/// the user's time zone, with its unit, and the same numbers as a table and CSV.
/// </summary>
public sealed partial class DeviceHistoryTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<Provider> Providers => Apps.Providers;

    private static long Ms(int hour, int minute, int second = 0) => new DateTimeOffset(2030, 6, 15, hour, minute, second, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>A thermostat that reported 30 °C three hours ago, 20 and 22 within one minute 50 minutes ago, and 24 twenty minutes ago.</summary>
    private static async Task<(ClockedCrmApp App, long Device, ConsoleSession Browser)> ThermostatAsync(Provider provider)
    {
        var app = new ClockedCrmApp(new FakeTimeProvider(Now), provider);
        var (device, token) = await app.Admin().CreateDeviceAsync();
        await app.SendTelemetryAsync(token, $$$"""
            [{"ts":{{{Ms(9, 0)}}},"values":{"roomTemperature":30,"mode":"heat"}},
             {"ts":{{{Ms(11, 10)}}},"values":{"roomTemperature":20}},
             {"ts":{{{Ms(11, 10, 30)}}},"values":{"roomTemperature":22}},
             {"ts":{{{Ms(11, 40)}}},"values":{"roomTemperature":24}}]
            """);
        var browser = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        browser.Client.DefaultRequestHeaders.Add("Cookie", ".SmartCrm.TimeZone=Asia/Shanghai");
        return (app, device, browser);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_device_page_draws_each_key_over_the_range_in_the_users_time_zone_with_its_unit(Provider provider)
    {
        var (app, device, browser) = await ThermostatAsync(provider);
        using var _ = app;
        using var __ = browser;

        var hour = WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{device}?range=hour"));
        var chart = Chart(hour, "roomTemperature");
        chart.ShouldContain("<h2>roomTemperature (°C)</h2>");
        chart.ShouldContain("<svg");
        // One point per minute with readings: 20 and 22 averaged, then 24, at Shanghai's time (UTC+8).
        Rows(chart).ShouldBe(["2030-06-15 19:10 21 20 22", "2030-06-15 19:40 24 24 24"]);
        var line = Line(chart);
        line.Count.ShouldBe(2);
        line[1].ShouldBeLessThan(line[0], "24 is drawn above 21");
        Ticks(chart).ShouldContain(t => t.StartsWith("19:", StringComparison.Ordinal), "the time axis is in the user's zone");
        Chart(hour, "mode", present: false);

        // The last day, in ten-minute intervals, reaches back to the 30 °C reading.
        var day = WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{device}?range=day"));
        Rows(Chart(day, "roomTemperature")).ShouldBe(["2030-06-15 17:00 30 30 30", "2030-06-15 19:10 21 20 22", "2030-06-15 19:40 24 24 24"]);

        // A custom range, typed in the user's zone.
        var custom = WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{device}?range=custom&from=2030-06-15T16:30&to=2030-06-15T18:00"));
        Rows(Chart(custom, "roomTemperature")).ShouldBe(["2030-06-15 17:00 30 30 30"]);
        custom.ShouldContain("value=\"2030-06-15T16:30\"");

        var backwards = WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{device}?range=custom&from=2030-06-15T18:00&to=2030-06-15T16:30"));
        backwards.ShouldContain("data-range-problem");
        Rows(Chart(backwards, "roomTemperature")).Count.ShouldBe(3, "the last day instead");
    }

    [Fact]
    public async Task A_keys_history_is_served_as_csv_to_people_who_may_see_the_device()
    {
        var (app, device, browser) = await ThermostatAsync(Provider.Sqlite);
        using var _ = app;
        using var __ = browser;

        var page = WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{device}?range=hour"));
        Chart(page, "roomTemperature").ShouldContain($"href=\"/devices/{device}/history.csv?key=roomTemperature&range=hour\"");
        var csv = await browser.Client.GetAsync($"/devices/{device}/history.csv?key=roomTemperature&range=hour");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        (await csv.Content.ReadAsStringAsync()).ShouldBe("time (Asia/Shanghai),avg,min,max\r\n2030-06-15 19:10,21,20,22\r\n2030-06-15 19:40,24,24,24\r\n");
        (await browser.Client.GetStringAsync($"/devices/{device}/history.csv?key=roomTemperature&range=custom&from=2030-06-15T16:30&to=2030-06-15T18:00"))
            .ShouldBe("time (Asia/Shanghai),avg,min,max\r\n2030-06-15 17:00,30,30,30\r\n");

        (await browser.Client.GetAsync($"/devices/{device}/history.csv?range=hour")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await browser.Client.GetAsync($"/devices/{device}/history.csv?key=roomTemperature&range=custom&from=2030-06-15T18:00&to=2030-06-15T16:30")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await browser.Client.GetAsync($"/devices/{device + 1000}/history.csv?key=roomTemperature")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.ClientAs(Role.ReadOnly).GetAsync($"/devices/{device}/history.csv?key=roomTemperature&range=day")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var anonymous = await app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync($"/devices/{device}/history.csv?key=roomTemperature&range=day");
        anonymous.StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Redirect);
        (await anonymous.Content.ReadAsStringAsync()).ShouldNotContain("2030-06-15");
    }

    private static string Chart(string page, string key, bool present = true)
    {
        var start = page.IndexOf($"data-chart=\"{key}\"", StringComparison.Ordinal);
        if (!present)
        {
            start.ShouldBe(-1, $"{key} is not a number and has no chart");
            return "";
        }
        start.ShouldBeGreaterThan(0, $"the page has a chart of {key}");
        return page[start..page.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    private static List<string> Rows(string chart) =>
        [.. RowPattern().Matches(chart).Select(m => string.Join(' ', CellPattern().Matches(m.Value).Select(c => c.Groups[1].Value.Trim())))];

    private static List<double> Line(string chart)
    {
        var start = chart.IndexOf("<g class=\"rz-line-series rz-series-0\"", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, "the key is drawn as a line");
        var path = PathPattern().Match(chart, start).Groups[1].Value;
        return [.. PointPattern().Matches(path).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
    }

    private static List<string> Ticks(string chart) => [.. TickPattern().Matches(chart).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<tr data-row=.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [Fact]
    public async Task Unasked_the_history_opens_on_the_shortest_range_that_holds_the_newest_reading_with_hours_in_h()
    {
        var (app, device, browser) = await ThermostatAsync(Provider.Sqlite);
        using var _ = app;
        using var __ = browser;
        var (meter, token) = await app.Admin().CreateDeviceAsync(model: "AP-300");
        // Its last report three days ago: "last day" would be empty.
        await app.SendTelemetryAsync(token, $$$"""[{"ts":{{{Now.AddDays(-3).ToUnixTimeMilliseconds()}}},"values":{"usageHours":4.5}}]""");

        var page = WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{meter}"));
        page.ShouldContain("class=\"current\" data-range=\"week\"");
        var chart = Chart(page, "usageHours");
        chart.ShouldContain("<h2>usageHours (h)</h2>");
        chart.ShouldNotContain("data-no-data");
        // A device that reported within the day still opens on the day.
        WebUtility.HtmlDecode(await browser.Client.GetStringAsync($"/devices/{device}")).ShouldContain("class=\"current\" data-range=\"day\"");
    }

    [GeneratedRegex("<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellPattern();

    [GeneratedRegex("<path class=\"\" d=\"([^\"]*)\"")]
    private static partial Regex PathPattern();

    [GeneratedRegex("[ML] [-0-9.]+ ([-0-9.]+)")]
    private static partial Regex PointPattern();

    [GeneratedRegex("class=\"rz-tick-text\"[^>]*>([^<]*)<")]
    private static partial Regex TickPattern();
}
