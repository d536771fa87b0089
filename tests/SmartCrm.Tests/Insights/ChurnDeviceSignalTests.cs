using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Insights;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Insights;

/// <summary>
/// The device signals of the churn features at the edges of their windows: the newest reading of any key in the half year
/// before the cutoff (the cutoff itself excluded), and the mean usage of the last 4 weeks against the weeks before.
/// </summary>
public sealed class ChurnDeviceSignalTests
{
    private static readonly long Day = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Device_signals_read_the_half_year_before_the_cutoff_and_compare_the_last_four_weeks_of_usage_with_the_weeks_before(Provider provider)
    {
        using var app = new CrmApp(provider);
        var api = app.Admin();
        var product = await api.CreateProductAsync();
        var heard = await api.CreateCustomerAsync();
        var unheard = await api.CreateCustomerAsync();
        foreach (var customer in new[] { heard, unheard }) await api.CreateOrderAsync(customer, product, 1, DateTime.UtcNow.AddDays(-30));
        var (_, used) = await api.CreateDeviceAsync(heard);
        var (_, quiet) = await api.CreateDeviceAsync(heard);
        var (late, lateToken) = await api.CreateDeviceAsync(unheard);
        // A whole millisecond just after the devices were registered: the windows' edges fall on readings exactly.
        var to = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000;
        var cutoff = DateTimeOffset.FromUnixTimeMilliseconds(to).UtcDateTime;
        var from = to - 180 * Day;
        var recent = to - 28 * Day;

        // Before the half year and at the cutoff: not read. The weeks before: 2 and 4; the last four weeks: 6 and 8. Another
        // key spoke last, an hour before the cutoff.
        await app.SendTelemetryAsync(used, $$$"""
            [{"ts":{{{from - 1}}},"values":{"usageHours":100}},
             {"ts":{{{from}}},"values":{"usageHours":2}},
             {"ts":{{{recent - 1}}},"values":{"usageHours":4}},
             {"ts":{{{recent}}},"values":{"usageHours":6}},
             {"ts":{{{to - 2 * Day}}},"values":{"usageHours":8}},
             {"ts":{{{to - 3_600_000}}},"values":{"temperature":21}},
             {"ts":{{{to}}},"values":{"usageHours":1000,"temperature":99}}]
            """);
        // Used before the last four weeks only (trend -1), last heard ten days ago on another key.
        await app.SendTelemetryAsync(quiet, $$$"""
            [{"ts":{{{recent - 5 * Day}}},"values":{"usageHours":5}},
             {"ts":{{{to - 10 * Day}}},"values":{"temperature":19}}]
            """);
        // Nothing inside the window: quiet counts from the registration.
        await app.SendTelemetryAsync(lateToken, $$$"""
            [{"ts":{{{from - Day}}},"values":{"usageHours":3}},
             {"ts":{{{to}}},"values":{"usageHours":3}}]
            """);

        var features = await app.WithDbAsync(db => ChurnFeatures.ReadAsync(db, app.Services.GetRequiredService<DatabaseConnections>(), cutoff, default));
        var registered = await app.WithDbAsync(db => db.Devices.Where(d => d.Id == late).Select(d => d.CreatedAt).SingleAsync());

        var first = features.Rows[Array.IndexOf(features.Customers, heard)];
        first[ChurnFeatures.FirstDeviceFeature].ShouldBe(2);
        first[11].ShouldBe(1.0 / 24, 1e-9, "quiet days: the newest reading of any key of any of the customer's devices");
        first[12].ShouldBe(((6.0 + 8) / 2 / ((2.0 + 4) / 2) - 1 + -1) / 2, 1e-9, "usage trend: the mean of the devices' trends");
        var second = features.Rows[Array.IndexOf(features.Customers, unheard)];
        second[ChurnFeatures.FirstDeviceFeature].ShouldBe(1);
        second[11].ShouldBe((cutoff - registered).TotalDays, 1e-9);
        second[12].ShouldBe(0);
    }
}
