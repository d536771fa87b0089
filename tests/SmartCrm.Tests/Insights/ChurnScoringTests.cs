using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Insights;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Insights;

public sealed class ChurnScoringTests
{
    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Scoring_every_customer_at_once_stores_what_scoring_each_one_alone_gives(Provider provider)
    {
        // A clock that stands still: the job and this test read the features as of the same instant.
        using var app = new ClockedCrmApp(new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)), provider);
        app.Settings["Demo:Enabled"] = "true";
        // The training job would score the demo with a model of its own at start, racing the scoring under test to the same rows.
        app.Settings["Models:Enabled"] = "false";
        var services = app.Services;
        var contexts = services.GetRequiredService<IDbContextFactory<CrmDb>>();
        var connections = services.GetRequiredService<DatabaseConnections>();
        var now = app.Clock.GetUtcNow().UtcDateTime;
        ChurnModel model;
        ChurnFeatures data;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            (model, _) = ChurnModel.Train(await ChurnFeatures.ReadAsync(db, connections, now.AddDays(-ChurnFeatures.HorizonDays), default), default);
            data = await ChurnFeatures.ReadAsync(db, connections, now, default);
        }

        var scored = await services.GetRequiredService<ChurnTraining>().ScoreAllAsync(model, 7, default);

        scored.ShouldBe(data.Customers.Length);
        data.Customers.Length.ShouldBeGreaterThan(500);
        var stored = await app.WithDbAsync(db => db.ChurnScores.AsNoTracking().OrderBy(s => s.CustomerId).ToListAsync());
        stored.Select(s => s.CustomerId).ShouldBe(data.Customers);
        var copies = await app.WithDbAsync(db => db.Customers.Where(c => c.ChurnScore != null).ToDictionaryAsync(c => c.Id, c => c.ChurnScore!.Value));
        copies.Count.ShouldBe(stored.Count);
        var deviceless = 0;
        for (var i = 0; i < stored.Count; i++)
        {
            // The scoring as it was first written: one customer at a time.
            var row = data.Rows[i];
            var reasons = model.Reasons(row, ChurnTraining.ReasonCount);
            if (row[ChurnFeatures.FirstDeviceFeature] == 0)
            {
                // No connected device: no claim about its quiet days, usage or alarms (a "+0 %" usage trend was shown).
                reasons.ShouldNotContain(r => r.Feature == "quietDays" || r.Feature == "usageTrend" || r.Feature == "alarms90");
                deviceless++;
            }
            stored[i].Score.ShouldBe(Math.Round(model.Score(row), 4));
            stored[i].Reasons.ShouldBe(JsonSerializer.Serialize(reasons, ChurnTraining.ReasonJson));
            stored[i].ModelVersion.ShouldBe(7);
            stored[i].ScoredAt.ShouldBe(now);
            copies[stored[i].CustomerId].ShouldBe(stored[i].Score);
        }
        deviceless.ShouldBeGreaterThan(0, "the demo has buyers without a connected device");
    }
}
