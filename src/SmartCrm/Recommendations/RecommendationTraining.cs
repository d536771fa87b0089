using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using SmartCrm.Analytics.Evaluation;
using SmartCrm.Analytics.Recommendation;
using SmartCrm.Models;
using SmartCrm.Storage;

namespace SmartCrm.Recommendations;

/// <summary>
/// Trains implicit ALS (the library's, with the settings of `smartcrm eval recommend`) on what customers chose, measures
/// precision@k on a holdout of each customer's choices, and offers the model fitted on all of them to the registry. When the
/// version activates, every customer's recommendations are ranked and stored, device rules and feedback included.
/// </summary>
public sealed class RecommendationTraining(
    IDbContextFactory<CrmDb> contexts, IOptions<RecommendationsOptions> options, TimeProvider clock, ILogger<RecommendationTraining> logger) : ModelTraining
{
    public const string Name = "recommendations";

    private ImplicitAls? _trained;

    public override string Kind => Name;

    public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await progress.ReportAsync(0.05, "reading orders, ratings, devices and feedback", cancellationToken);
        PurchaseHistory history;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken)) history = await PurchaseHistory.ReadAsync(db, cancellationToken);
        if (history.Choices.Count == 0) throw new InvalidOperationException("Recommendations need orders or ratings; there are none.");

        var (train, held) = Split(history.Choices, settings.Holdout);
        var k = settings.PrecisionAt;
        var metric = $"precision_at_{k}";
        double precision = 0, popular = 0;
        var heldCustomers = 0;
        if (held.Count > 0)
        {
            await progress.ReportAsync(0.2, $"fitting on {train.Count:N0} choices, {held.Count:N0} held out", cancellationToken);
            var table = RatingTable.From(train);
            var model = ImplicitAls.Fit(table, Als(settings), cancellationToken: cancellationToken);
            var baseline = PopularItems.Fit(table);
            var relevant = held.GroupBy(r => r.User).ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.Select(r => r.Item).ToHashSet());
            heldCustomers = relevant.Count;
            foreach (var (customer, items) in relevant)
            {
                cancellationToken.ThrowIfCancellationRequested();
                precision += Metrics.PrecisionAtK(model.Recommend(customer, k), items, k) / relevant.Count;
                popular += Metrics.PrecisionAtK(baseline.Recommend(customer, k), items, k) / relevant.Count;
            }
        }
        await progress.ReportAsync(0.6, $"holdout precision@{k} {precision:0.####} (most popular: {popular:0.####}); fitting on all {history.Choices.Count:N0} choices", cancellationToken);
        _trained = ImplicitAls.Fit(RatingTable.From(history.Choices), Als(settings), cancellationToken: cancellationToken);
        var metrics = new Dictionary<string, double>
        {
            [metric] = Math.Round(precision, 4),
            [$"popular_precision_at_{k}"] = Math.Round(popular, 4),
            ["holdout_customers"] = heldCustomers,
            ["customers"] = history.Choices.Select(c => c.User).Distinct().Count(),
            ["products"] = history.Choices.Select(c => c.Item).Distinct().Count(),
            ["choices"] = history.Choices.Count,
        };
        foreach (var (kind, count) in history.Feedback) metrics["feedback_" + kind.ToString().ToLowerInvariant()] = count;
        logger.LogInformation("Recommendations: {Choices} choices, holdout precision@{K} {Precision:0.####} (most popular {Popular:0.####})",
            history.Choices.Count, k, precision, popular);
        var now = clock.GetUtcNow().UtcDateTime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { model = "ImplicitALS", settings.Factors, settings.Alpha, settings.Regularization, settings.Iterations });
        return new ModelCandidate(Kind, metric, precision, true, metrics, history.From ?? now, history.To ?? now, payload);
    }

    public override async Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_trained is not { } model) return;
        var stored = await ScoreAllAsync(model, version.Version, cancellationToken);
        logger.LogInformation("Recommendations v{Version}: {Rows} stored", version.Version, stored);
    }

    /// <summary>Ranks every customer's recommendations as of now with <paramref name="model"/> and replaces the stored ones.</summary>
    public async Task<int> ScoreAllAsync(IItemScorer? model, int version, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var started = clock.GetTimestamp();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var history = await PurchaseHistory.ReadAsync(db, cancellationToken);
        var read = clock.GetElapsedTime(started);
        var ranking = new RecommendationRanking(model, history, options.Value, now);
        var customers = history.Customers.ToArray();
        // Each customer is ranked on their own from what was read: both cores rank (results kept in customer order).
        var ranked = new IReadOnlyList<Recommendation>[customers.Length];
        Parallel.For(0, customers.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => ranked[i] = ranking.Rank(customers[i]));
        var rankedAt = clock.GetElapsedTime(started);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Recommendations.ExecuteDeleteAsync(cancellationToken);
        var rows = 0;
        await using (var insert = await BulkInsert.StartAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "recommendations", Columns, cancellationToken))
        {
            foreach (var list in ranked)
            {
                foreach (var row in list)
                {
                    await insert.AddAsync([row.CustomerId, row.ProductId, row.Rank, row.Score, row.Source, row.BecauseProductId, row.Share, row.DaysSinceBought, version, now], cancellationToken);
                    rows++;
                }
            }
            await insert.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        // Where a run's time went, for whoever tunes it at scale (the bench prints these).
        logger.LogInformation("Recommendations v{Version}: {Customers} customers read in {ReadSeconds:0.00} s, ranked in {RankSeconds:0.00} s, {Rows} rows stored in {StoreSeconds:0.00} s",
            version, customers.Length, read.TotalSeconds, (rankedAt - read).TotalSeconds, rows, (clock.GetElapsedTime(started) - rankedAt).TotalSeconds);
        return rows;
    }

    private static readonly string[] Columns =
    [
        nameof(Recommendation.CustomerId), nameof(Recommendation.ProductId), nameof(Recommendation.Rank), nameof(Recommendation.Score), nameof(Recommendation.Source),
        nameof(Recommendation.BecauseProductId), nameof(Recommendation.Share), nameof(Recommendation.DaysSinceBought), nameof(Recommendation.ModelVersion),
        nameof(Recommendation.ScoredAt),
    ];

    public static ImplicitAlsOptions Als(RecommendationsOptions settings) => new()
    {
        Factors = settings.Factors, Alpha = settings.Alpha, Regularization = settings.Regularization, Iterations = settings.Iterations, Seed = 1,
    };

    /// <summary>
    /// Holds out a share of each customer's choices, picked by a hash of customer and product (one new choice moves no other
    /// customer's split), keeping at least one choice of every customer in training.
    /// </summary>
    public static (List<Rating> Train, List<Rating> Held) Split(List<Rating> choices, double share)
    {
        var train = new List<Rating>(choices.Count);
        var held = new List<Rating>();
        foreach (var customer in choices.GroupBy(c => c.User))
        {
            var kept = 0;
            var list = customer.ToList();
            foreach (var c in list)
            {
                var pick = Mix(c.User, c.Item) % 1000 < share * 1000 && list.Count > 1;
                if (pick) held.Add(c);
                else
                {
                    train.Add(c);
                    kept++;
                }
            }
            if (kept == 0 && held.Count > 0) train.Add(Pop(held));
        }
        return (train, held);
    }

    // A fixed mix (splitmix64's finaliser), not HashCode: that one changes from one process to the next.
    private static ulong Mix(int customer, int product)
    {
        var z = ((ulong)(uint)customer << 32 | (uint)product) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static Rating Pop(List<Rating> list)
    {
        var last = list[^1];
        list.RemoveAt(list.Count - 1);
        return last;
    }
}
