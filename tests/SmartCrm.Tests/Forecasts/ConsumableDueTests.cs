using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Forecasts;
using SmartCrm.Models;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Forecasts;

public sealed class ConsumableDueTests(ForecastApps apps) : IClassFixture<ForecastApps>
{
    [Fact]
    public async Task A_purifier_used_five_hours_a_day_needs_its_filter_when_the_hours_since_the_last_filter_reach_its_life()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var owner = await admin.CreateCustomerAsync();
        var filter = (await admin.CreateAsync("/api/v1/products", new { sku = "AP-F300", name = "HEPA Filter 300", kind = "Accessory", price = 29m })).Id();
        var (device, token) = await admin.CreateDeviceAsync(owner, "AP-300", "Bedroom purifier");
        var quiet = (await admin.CreateDeviceAsync(owner, "AP-300", "Attic purifier")).Token;
        var now = DateTime.UtcNow;
        await app.WithDbAsync(db => db.Devices.Where(d => d.Id == device).ExecuteUpdateAsync(u => u.SetProperty(d => d.CreatedAt, now.AddDays(-7 * 30 - 3))));
        // Thirty weeks of readings of about five hours a day (35 a week); the attic one stopped reporting two months ago.
        var readings = Enumerable.Range(0, 30).Select(w => new { ts = new DateTimeOffset(now.AddDays(-7 * (30 - w))).ToUnixTimeMilliseconds(), values = new { usageHours = 5 + (w % 3 - 1) * 0.1 } });
        await app.SendTelemetryAsync(token, System.Text.Json.JsonSerializer.Serialize(readings));
        await app.SendTelemetryAsync(quiet, System.Text.Json.JsonSerializer.Serialize(readings.Take(20)));
        // A new filter bought ten weeks ago: 1,000 hours of life, about 350 used since, about 650 left at 35 a week: some 18.6 weeks.
        await ForecastTrainingTests.OrderAsync(app, owner, filter, 1, now.AddDays(-70));

        (await ForecastTrainingTests.TrainAsync(admin, ForecastKinds.Usage)).State.ShouldBe(TrainingState.Succeeded);
        var all = (await admin.GetFromJsonAsync<List<ForecastSeries>>("/api/v1/forecasts?kind=usage", ForecastTrainingTests.Json))!;
        var series = all.ShouldHaveSingleItem("the silent purifier's use cannot be told");
        series.SubjectId.ShouldBe(device);
        series.Consumable.ShouldBe("HEPA Filter 300");
        series.LifeUsed!.Value.ShouldBeInRange(0.3, 0.42);
        var due = series.DueAt.ShouldNotBeNull();
        (due - now).TotalDays.ShouldBeInRange(115, 140, due.ToString("u", CultureInfo.InvariantCulture));
        series.DueEarliest!.Value.ShouldBeLessThanOrEqualTo(due);
        (series.DueLatest ?? DateTime.MaxValue).ShouldBeGreaterThanOrEqualTo(due);
        var view = (await admin.GetFromJsonAsync<ForecastView>($"/api/v1/forecasts/usage/{device}", ForecastTrainingTests.Json))!;
        view.Points.Where(p => p.Mean is not null).ShouldAllBe(p => p.Mean > 30 && p.Mean < 40, "about 35 hours a week ahead");

        using var console = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        var page = await console.Client.GetStringAsync($"/devices/{device}");
        page.ShouldContain("data-consumable-due");
        page.ShouldContain(due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var forecasts = await console.Client.GetStringAsync("/forecasts?kind=usage");
        forecasts.ShouldContain("data-due-list");
        forecasts.ShouldContain("data-due");
        forecasts.ShouldNotContain("data-overdue");

        // A part past its life (a filter never replaced) is overdue since a date, not "due" between three dates in the past.
        var since = now.AddDays(-40);
        await app.WithDbAsync(db => db.ForecastSeries.Where(f => f.Id == series.Id).ExecuteUpdateAsync(u => u
            .SetProperty(f => f.DueAt, since).SetProperty(f => f.DueEarliest, since).SetProperty(f => f.DueLatest, since).SetProperty(f => f.LifeUsed, 1.3)));
        var overdue = await console.Client.GetStringAsync($"/forecasts?kind=usage&id={device}");
        overdue.ShouldContain($"HEPA Filter 300 overdue since {since:yyyy-MM-dd}: 130% of its life used.");
        overdue.ShouldContain("data-overdue");
        (await console.Client.GetStringAsync($"/devices/{device}")).ShouldContain($"Overdue since {since:yyyy-MM-dd}");
    }
}
