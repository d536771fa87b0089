using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Analytics.Recommendation;
using SmartCrm.Recommendations;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Recommendations;

public sealed class RecommendationScoringTests
{
    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Ranking_every_customer_at_once_stores_what_ranking_each_one_alone_gives(Provider provider)
    {
        using var app = new ClockedCrmApp(new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)), provider);
        app.Settings["Demo:Enabled"] = "true";
        // The training job would score the demo with a model of its own at start, racing the scoring under test to the same rows.
        app.Settings["Models:Enabled"] = "false";
        var services = app.Services;
        var options = services.GetRequiredService<IOptions<RecommendationsOptions>>().Value;
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var history = await app.WithDbAsync(db => PurchaseHistory.ReadAsync(db, default));
        var model = ImplicitAls.Fit(RatingTable.From(history.Choices), RecommendationTraining.Als(options));

        var rows = await services.GetRequiredService<RecommendationTraining>().ScoreAllAsync(model, 4, default);

        // One customer at a time, in the order the job goes through them.
        var ranking = new RecommendationRanking(model, history, options, now);
        var expected = history.Customers.SelectMany(ranking.Rank).ToList();
        expected.Count.ShouldBeGreaterThan(5_000);
        rows.ShouldBe(expected.Count);
        var stored = await app.WithDbAsync(db => db.Recommendations.AsNoTracking().OrderBy(r => r.Id).ToListAsync());
        stored.Count.ShouldBe(expected.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            var (s, e) = (stored[i], expected[i]);
            (s.CustomerId, s.ProductId, s.Rank, s.Score, s.Source, s.BecauseProductId, s.Share, s.DaysSinceBought)
                .ShouldBe((e.CustomerId, e.ProductId, e.Rank, e.Score, e.Source, e.BecauseProductId, e.Share, e.DaysSinceBought), $"row {i}");
            s.ModelVersion.ShouldBe(4);
            s.ScoredAt.ShouldBe(now);
        }
    }
}
