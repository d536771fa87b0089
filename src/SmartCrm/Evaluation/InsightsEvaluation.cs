using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SmartCrm.Insights;
using SmartCrm.Storage;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval insights --data DIR`: the in-product churn model, trained as the training job trains it, on the SmartCrm database in
/// DIR (a `serve --demo --data DIR` folder). Prints the holdout AUC with and without the device signals (silent devices,
/// usage trend, recurring alarms), which is how much IoT adds.
/// </summary>
internal sealed class InsightsEvaluation : IEvaluationTask
{
    public string Name => "insights";

    public async Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var options = new StorageOptions { DataDirectory = context.DataDirectory };
        if (!File.Exists(options.SqliteFile))
        {
            // The demo company is seeded by `serve` (the Demo folder sits beside this one, not below it).
            throw new InvalidOperationException($"No SmartCrm database in {context.DataDirectory}: run `smartcrm serve --demo --data {context.DataDirectory}` once (it seeds the demo company and trains the model), then `smartcrm eval insights --data {context.DataDirectory}`.");
        }
        Migrator.Migrate(options, NullLogger.Instance);
        using var connections = new DatabaseConnections(Options.Create(options));
        var builder = new DbContextOptionsBuilder<CrmDb>();
        StorageSetup.Configure(builder, options);
        await using var db = new CrmDb(builder.Options);
        var started = System.Diagnostics.Stopwatch.StartNew();
        // The same cutoff as the training job's: the database's own "now" is the newest activity in it, so an older demo folder still has a horizon.
        var clock = TimeProvider.System.GetUtcNow().UtcDateTime;
        var newest = await db.Orders.MaxAsync(o => (DateTime?)o.OrderedAt, cancellationToken) ?? clock;
        var now = newest > clock ? newest : clock;
        var data = await ChurnFeatures.ReadAsync(db, connections, now.AddDays(-ChurnFeatures.HorizonDays), cancellationToken);
        var (_, figures) = ChurnModel.Train(data, cancellationToken);
        context.Report(Name, ("data", context.DataDirectory), ("model", "churn GradientBoosting(trees=150,rate=0.05,depth=3)"), ("customers", data.Customers.Length),
            ("holdout", figures.HoldoutRows), ("churnRate", Math.Round(figures.ChurnRate, 4)), ("auc", Math.Round(figures.Auc, 4)),
            ("aucWithoutDevices", Math.Round(figures.AucWithoutDevices, 4)), ("deviceGain", Math.Round(figures.Auc - figures.AucWithoutDevices, 4)),
            ("brier", Math.Round(figures.Brier, 4)), ("seconds", Math.Round(started.Elapsed.TotalSeconds, 2)));
    }
}
