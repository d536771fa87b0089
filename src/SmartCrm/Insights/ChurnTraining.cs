using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SmartCrm.Models;
using SmartCrm.Storage;

namespace SmartCrm.Insights;

/// <summary>
/// Trains the churn model on the database (cutoff one horizon ago: features before it, label from the horizon after it),
/// registers it, and when it becomes active scores every customer as of now and stores the scores and their reasons.
/// </summary>
public sealed class ChurnTraining(IDbContextFactory<CrmDb> contexts, DatabaseConnections connections, TimeProvider clock, ILogger<ChurnTraining> logger) : ModelTraining
{
    public const string Name = "churn";

    /// <summary>How many reasons are kept per customer.</summary>
    public const int ReasonCount = 3;

    private ChurnModel? _trained;

    public override string Kind => Name;

    public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-ChurnFeatures.HorizonDays);
        await progress.ReportAsync(0.05, "reading orders, interactions, tickets and device signals", cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var data = await ChurnFeatures.ReadAsync(db, connections, cutoff, cancellationToken);
        await progress.ReportAsync(0.3, $"fitting on {data.Customers.Length} customers", cancellationToken);
        var (model, figures) = ChurnModel.Train(data, cancellationToken);
        _trained = model;
        await progress.ReportAsync(0.8, $"holdout AUC {figures.Auc:0.###} (without device signals {figures.AucWithoutDevices:0.###})", cancellationToken);
        var metrics = new Dictionary<string, double>
        {
            ["auc"] = Math.Round(figures.Auc, 4),
            ["aucWithoutDevices"] = Math.Round(figures.AucWithoutDevices, 4),
            ["brier"] = Math.Round(figures.Brier, 4),
            ["churnRate"] = Math.Round(figures.ChurnRate, 4),
            ["trainRows"] = figures.TrainRows,
            ["holdoutRows"] = figures.HoldoutRows,
        };
        var importances = model.Importances();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            features = model.Features,
            horizonDays = ChurnFeatures.HorizonDays,
            platt = new { slope = model.Slope, intercept = model.Intercept },
            importances = model.Features.Select((f, i) => new { feature = f, importance = Math.Round(importances[i], 4) }),
        });
        return new ModelCandidate(Kind, "auc", figures.Auc, true, metrics, cutoff.AddDays(-365), now, payload);
    }

    public override async Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_trained is not { } model) return;
        var scored = await ScoreAllAsync(model, version.Version, cancellationToken);
        logger.LogInformation("Churn v{Version} scored {Customers} customers", version.Version, scored);
    }

    /// <summary>Scores every customer with a purchase, as of now, and replaces the stored scores.</summary>
    public async Task<int> ScoreAllAsync(ChurnModel model, int version, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var started = clock.GetTimestamp();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var data = await ChurnFeatures.ReadAsync(db, connections, now, cancellationToken);
        var read = clock.GetElapsedTime(started);
        var scores = new double[data.Customers.Length];
        var reasons = new string[data.Customers.Length];
        // Each row is scored on its own from what was read: both cores share the trees' walks (order of the results kept by index).
        Parallel.For(0, scores.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var row = data.Rows[i];
            var top = model.Reasons(row, ReasonCount);
            scores[i] = Math.Round(model.Score(row), 4);
            reasons[i] = JsonSerializer.Serialize(top, ReasonJson);
        });
        var scoredAt = clock.GetElapsedTime(started);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.ChurnScores.ExecuteDeleteAsync(cancellationToken);
        // Rows written as one bulk insert, not tracked entities: EF's change tracking of 100,000 new rows cost more than the scoring.
        await using (var insert = await BulkInsert.StartAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "churn_scores",
            [nameof(ChurnScore.CustomerId), nameof(ChurnScore.Score), nameof(ChurnScore.Reasons), nameof(ChurnScore.ModelVersion), nameof(ChurnScore.ScoredAt)], cancellationToken))
        {
            for (var i = 0; i < scores.Length; i++) await insert.AddAsync([data.Customers[i], scores[i], reasons[i], version, now], cancellationToken);
            await insert.CompleteAsync(cancellationToken);
        }
        // The customer list sorts by risk: it reads the copy on the customer row (a lower layer cannot join this table).
        await db.Database.ExecuteSqlRawAsync(
            """UPDATE customers SET "ChurnScore" = (SELECT s."Score" FROM churn_scores s WHERE s."CustomerId" = customers."Id")""", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Where a run's time went, for whoever tunes it at scale (the bench prints these).
        logger.LogInformation("Churn v{Version}: {Customers} customers read in {ReadSeconds:0.00} s, scored in {ScoreSeconds:0.00} s, stored in {StoreSeconds:0.00} s",
            version, scores.Length, read.TotalSeconds, (scoredAt - read).TotalSeconds, (clock.GetElapsedTime(started) - scoredAt).TotalSeconds);
        return scores.Length;
    }

    public static readonly JsonSerializerOptions ReasonJson = new(JsonSerializerDefaults.Web);
}
