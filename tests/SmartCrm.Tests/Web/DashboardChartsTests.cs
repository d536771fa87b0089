using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Alarms;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Web;

/// <summary>The dashboard's charts: drawn as SVG in the page from numbers the database groups, the same numbers as a table and CSV.</summary>
public sealed partial class DashboardChartsTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<Provider> Providers => Apps.Providers;

    /// <summary>A company of its own (so every count is known): deals, orders over three months, tickets, devices and alarms.</summary>
    private static async Task<ClockedCrmApp> CompanyAsync(Provider provider)
    {
        var app = new ClockedCrmApp(new FakeTimeProvider(Now), provider);
        var admin = app.Admin();
        var customer = await admin.CreateCustomerAsync();
        foreach (var (stage, amount) in new[] { ("Lead", 1000m), ("Lead", 500m), ("Proposal", 2500m), ("Won", 9000m) })
        {
            await admin.CreateAsync("/api/v1/opportunities", new { customerId = customer, title = Builders.Unique("Deal "), stage, amount });
        }
        var product = await admin.CreateProductAsync(price: 100m);
        await admin.CreateOrderAsync(customer, product, 3, new DateTime(2030, 4, 10, 9, 0, 0, DateTimeKind.Utc));
        await admin.CreateOrderAsync(customer, product, 2, new DateTime(2030, 6, 2, 9, 0, 0, DateTimeKind.Utc));
        await admin.CreateOrderAsync(customer, product, 5, new DateTime(2030, 6, 3, 9, 0, 0, DateTimeKind.Utc));
        await admin.CreateOrderAsync(customer, product, 7, new DateTime(2030, 6, 4, 9, 0, 0, DateTimeKind.Utc), status: "Cancelled");
        for (var i = 0; i < 3; i++) await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = Builders.Unique("Q ") });
        var online = await admin.CreateDeviceAsync(customer);
        var offline = await admin.CreateDeviceAsync(customer);
        await admin.CreateDeviceAsync(customer);
        await app.SendTelemetryAsync(online.Token, "{\"temperature\":21}");
        await app.WithDbAsync(async db =>
        {
            db.Alarms.Add(Alarm(online.Id, AlarmSeverity.Critical, new DateTime(2030, 6, 14, 8, 0, 0, DateTimeKind.Utc), cleared: false));
            db.Alarms.Add(Alarm(offline.Id, AlarmSeverity.Critical, new DateTime(2030, 6, 14, 9, 0, 0, DateTimeKind.Utc), cleared: true));
            db.Alarms.Add(Alarm(offline.Id, AlarmSeverity.Major, new DateTime(2030, 6, 14, 10, 0, 0, DateTimeKind.Utc), cleared: true));
            db.Alarms.Add(Alarm(offline.Id, AlarmSeverity.Warning, new DateTime(2030, 6, 15, 7, 0, 0, DateTimeKind.Utc), cleared: false));
            return await db.SaveChangesAsync();
        });
        return app;
    }

    private static Alarm Alarm(long device, AlarmSeverity severity, DateTime at, bool cleared) => new()
    {
        DeviceId = device, Type = "Test", Message = "test alarm", Severity = severity, StartedAt = at, LastAt = at,
        Status = cleared ? AlarmStatus.Cleared : AlarmStatus.Active, ClearedAt = cleared ? at.AddHours(1) : null,
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_dashboard_draws_each_chart_as_svg_from_the_numbers_the_database_grouped(Provider provider)
    {
        using var app = await CompanyAsync(provider);
        using var browser = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);

        var page = await browser.Client.GetStringAsync("/");

        // The SVG: a column per stage, state and health, labelled with its value; a line point per month and per day.
        Labels(page, "pipeline").ShouldBe(["$1,500", "$0", "$2,500", "$0"]);
        Labels(page, "tickets").ShouldBe(["3", "0", "0", "0", "0"]);
        Labels(page, "fleet").ShouldBe(["1", "2", "2"]);
        var months = Line(page, "revenue", 0);
        months.Count.ShouldBe(12);
        // SVG's y grows downwards: June ($700) highest, April ($300) between, the other months on the zero line.
        months[11].ShouldBeLessThan(months[9]);
        months[9].ShouldBeLessThan(months[0]);
        months.Where((_, i) => i is not 9 and not 11).Distinct().Count().ShouldBe(1);
        // Alarms: a column a day, its severities stacked (SVG's y grows downwards, so a column runs from its top down to its bottom).
        var critical = Columns(page, "alarms", 0);
        var major = Columns(page, "alarms", 1);
        var warning = Columns(page, "alarms", 3);
        for (var series = 0; series < 4; series++) Columns(page, "alarms", series).Count.ShouldBe(30);
        critical[^2].Height.ShouldBeGreaterThan(0, "critical: two yesterday");
        critical[^1].Height.ShouldBe(0, 0.01, "none today");
        major[^2].Bottom.ShouldBe(critical[^2].Top, 0.01, "yesterday's major alarm stacked on the critical ones");
        major[^2].Height.ShouldBe(critical[^2].Height / 2, 0.01);
        warning[^1].Height.ShouldBe(critical[^2].Height / 2, 0.01, "warning: one today");
        // Open deals only: two leads, one proposal; the won deal is not pipeline.
        Rows(page, "pipeline").ShouldBe(["Lead $1,500 2", "Qualified $0 0", "Proposal $2,500 1", "Negotiation $0 0"]);
        // Twelve months up to this one; the cancelled order left out.
        var revenue = Rows(page, "revenue");
        revenue.Count.ShouldBe(12);
        revenue[0].ShouldBe("2029-07 $0 0");
        revenue[9].ShouldBe("2030-04 $300 1");
        revenue[11].ShouldBe("2030-06 $700 2");
        // This month is only days old: the title says so, or its low point would read as a collapse.
        page.ShouldContain("<h2>Revenue by month (this month so far)</h2>");
        Rows(page, "tickets").ShouldBe(["New 3", "Open 0", "Pending 0", "Resolved 0", "Closed 0"]);
        Rows(page, "fleet").ShouldBe(["Online 1", "Offline 2", "Alarming 2"]);
        var alarms = Rows(page, "alarms");
        alarms.Count.ShouldBe(30);
        alarms[^2].ShouldBe("2030-06-14 2 1 0 0");
        alarms[^1].ShouldBe("2030-06-15 0 0 0 1");
    }

    [Fact]
    public async Task Each_dashboard_chart_has_its_numbers_as_csv_for_people_who_may_see_the_dashboard()
    {
        using var app = await CompanyAsync(Provider.Sqlite);
        using var browser = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);

        var page = await browser.Client.GetStringAsync("/");
        foreach (var name in new[] { "pipeline", "revenue", "tickets", "fleet", "alarms" }) Chart(page, name).ShouldContain($"href=\"/dashboard/{name}.csv\"");
        var pipeline = await browser.Client.GetAsync("/dashboard/pipeline.csv");
        pipeline.StatusCode.ShouldBe(HttpStatusCode.OK);
        pipeline.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        pipeline.Content.Headers.ContentDisposition!.FileName.ShouldBe("pipeline.csv");
        (await pipeline.Content.ReadAsStringAsync()).ShouldBe("stage,amount,deals\r\nLead,1500,2\r\nQualified,0,0\r\nProposal,2500,1\r\nNegotiation,0,0\r\n");
        var revenue = (await browser.Client.GetStringAsync("/dashboard/revenue.csv")).Split("\r\n");
        revenue[0].ShouldBe("month,revenue,orders");
        revenue[^2].ShouldBe("2030-06,700,2");
        (await browser.Client.GetStringAsync("/dashboard/fleet.csv")).ShouldBe("health,devices\r\nOnline,1\r\nOffline,2\r\nAlarming,2\r\n");
        (await browser.Client.GetStringAsync("/dashboard/alarms.csv")).ShouldEndWith("2030-06-14,2,1,0,0\r\n2030-06-15,0,0,0,1\r\n");
        (await browser.Client.GetAsync("/dashboard/customers.csv")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Every role sees the dashboard, so every role may read its numbers; nobody without signing in.
        (await app.ClientAs(Role.ReadOnly).GetAsync("/dashboard/tickets.csv")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var anonymous = await app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync("/dashboard/tickets.csv");
        anonymous.StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Redirect);
        (await anonymous.Content.ReadAsStringAsync()).ShouldNotContain("Question");
    }

    /// <summary>The section of one chart.</summary>
    private static string Chart(string page, string name)
    {
        var start = page.IndexOf($"data-chart=\"{name}\"", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, $"the dashboard has the {name} chart");
        var end = page.IndexOf("</section>", start, StringComparison.Ordinal);
        return page[start..end];
    }

    /// <summary>The values written on a column chart's columns.</summary>
    private static List<string> Labels(string page, string name) =>
        [.. LabelPattern().Matches(Chart(page, name)).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    /// <summary>The top and bottom y of each column of a column series, left to right.</summary>
    private static List<(double Top, double Bottom, double Height)> Columns(string page, string name, int series)
    {
        var chart = Chart(page, name);
        var start = chart.IndexOf($"<g class=\"rz-column-series rz-series-{series}\"", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, $"{name} draws series {series} as columns");
        var end = chart.IndexOf("</g>", start, StringComparison.Ordinal);
        return [.. ColumnPattern().Matches(chart[start..end]).Select(m =>
        {
            var top = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var bottom = double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            return (top, bottom, bottom - top);
        })];
    }

    /// <summary>The y of each point of a line series, left to right.</summary>
    private static List<double> Line(string page, string name, int series)
    {
        var chart = Chart(page, name);
        var start = chart.IndexOf($"<g class=\"rz-line-series rz-series-{series}\"", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, $"{name} draws series {series} as a line");
        var path = PathPattern().Match(chart, start).Groups[1].Value;
        return [.. PointPattern().Matches(path).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>The rows of a chart's table, cells joined by spaces.</summary>
    private static List<string> Rows(string page, string name) =>
        [.. RowPattern().Matches(Chart(page, name)).Select(m => string.Join(' ', CellPattern().Matches(m.Value).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value).Trim())))];

    [GeneratedRegex("class=\"rz-series-data-label\"[^>]*>([^<]*)<")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("<path class=\"\" d=\"([^\"]*)\"")]
    private static partial Regex PathPattern();

    [GeneratedRegex("[ML] [-0-9.]+ ([-0-9.]+)")]
    private static partial Regex PointPattern();

    [GeneratedRegex("<path class=\"[^\"]*\" d=\"M [-0-9.]+ ([-0-9.]+) [^\"]*L [-0-9.]+ ([-0-9.]+) Z\"")]
    private static partial Regex ColumnPattern();

    [GeneratedRegex("<tr data-row=.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellPattern();
}
