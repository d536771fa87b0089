using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartCrm.Analytics.Recommendation;
using SmartCrm.Hosting;
using SmartCrm.Insights;
using SmartCrm.Recommendations;
using SmartCrm.Storage;

namespace SmartCrm.Bench.Scoring;

/// <summary>
/// Scoring every customer of the demo at scale 50 (~100,000 customers) for churn and recommendations, as the training job does
/// when a version activates: read the features as of now, score, and replace the stored rows (issue 13: under 30 s on 2 cores).
/// <code>
/// dotnet run -c Release --project bench/SmartCrm.Bench -- scoring [scale=50] [DIR=bench-scoring]
/// </code>
/// The first run seeds the demo into DIR/data (long: a year of orders, interactions and device readings); later runs reuse it.
/// The models are fitted first (timed apart); the figure is the scoring.
/// </summary>
public static class ScoringBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        var dir = Path.GetFullPath(args.Length > 1 ? args[1] : "bench-scoring");
        var settings = new Dictionary<string, string?>
        {
            [$"{StorageOptions.Section}:DataDirectory"] = Path.Combine(dir, "data"),
            ["Demo:Enabled"] = "true",
            ["Demo:Scale"] = scale.ToString(CultureInfo.InvariantCulture),
            ["Models:Schedule"] = "false",
            ["Triage:Enabled"] = "false",
            ["Mqtt:Port"] = "0",
            ["urls"] = "http://127.0.0.1:0",
            ["SMARTCRM_ADMIN_PASSWORD"] = "bench-" + Guid.NewGuid().ToString("N"),
            ["Logging:LogLevel:Default"] = "Warning",
            // The jobs' own account of the figure: read, score or rank, store.
            [$"Logging:LogLevel:{typeof(ChurnTraining).FullName}"] = "Information",
            [$"Logging:LogLevel:{typeof(RecommendationTraining).FullName}"] = "Information",
        };
        var watch = Stopwatch.StartNew();
        // Named after the program, so the console's static assets manifest (smartcrm.staticwebassets.endpoints.json) is found.
        await using var app = SmartCrmHost.Build(["--applicationName", "smartcrm"], settings);
        await app.StartAsync();
        var services = app.Services;
        var contexts = services.GetRequiredService<IDbContextFactory<CrmDb>>();
        int customers;
        await using (var db = await contexts.CreateDbContextAsync()) customers = await db.Customers.CountAsync();
        Console.WriteLine($"database ready: {customers:N0} customers ({watch.Elapsed.TotalSeconds:0.0} s, seeding included on the first run)");

        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        watch.Restart();
        ChurnModel churnModel;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var data = await ChurnFeatures.ReadAsync(db, services.GetRequiredService<DatabaseConnections>(), now.AddDays(-ChurnFeatures.HorizonDays), CancellationToken.None);
            (churnModel, _) = ChurnModel.Train(data, CancellationToken.None);
        }
        var churnFit = watch.Elapsed.TotalSeconds;
        watch.Restart();
        ImplicitAls recommender;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var history = await PurchaseHistory.ReadAsync(db, CancellationToken.None);
            recommender = ImplicitAls.Fit(RatingTable.From(history.Choices), RecommendationTraining.Als(services.GetRequiredService<IOptions<RecommendationsOptions>>().Value));
        }
        var recommendFit = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"fitted (not part of the figure): churn {churnFit:0.0} s, recommendations {recommendFit:0.0} s");

        await PhasesAsync(services, contexts, churnModel, recommender, now);

        watch.Restart();
        var cpu = Cpu();
        var churned = await services.GetRequiredService<ChurnTraining>().ScoreAllAsync(churnModel, 1, CancellationToken.None);
        var churnSeconds = watch.Elapsed.TotalSeconds;
        var churnCpu = Cpu() - cpu;
        watch.Restart();
        cpu = Cpu();
        var recommended = await services.GetRequiredService<RecommendationTraining>().ScoreAllAsync(recommender, 1, CancellationToken.None);
        var recommendSeconds = watch.Elapsed.TotalSeconds;
        var recommendCpu = Cpu() - cpu;
        // CPU seconds beside the wall clock: on a shared machine the wall clock measures the neighbours as much as the work.
        Console.WriteLine(FormattableString.Invariant($"scoring customers={customers} cores={Environment.ProcessorCount} churn_scored={churned} churn_seconds={churnSeconds:0.00} churn_cpu_seconds={churnCpu:0.00} ") +
            FormattableString.Invariant($"recommendations_stored={recommended} recommendations_seconds={recommendSeconds:0.00} recommendations_cpu_seconds={recommendCpu:0.00} total_seconds={churnSeconds + recommendSeconds:0.00} target_seconds=30"));
        await app.StopAsync();
        return churnSeconds + recommendSeconds < 30 ? 0 : 2;
    }

    /// <summary>CPU seconds the process has used so far (every thread: the scoring runs on both cores).</summary>
    private static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>
    /// Where the time goes, phase by phase, done apart from the figure (so the figure is the job as it runs): reading the
    /// features, scoring in memory; the rest of each job's time is writing the rows.
    /// </summary>
    private static async Task PhasesAsync(IServiceProvider services, IDbContextFactory<CrmDb> contexts, ChurnModel churn, ImplicitAls recommender, DateTime now)
    {
        var watch = Stopwatch.StartNew();
        var cpu = Cpu();
        ChurnFeatures data;
        await using (var db = await contexts.CreateDbContextAsync()) data = await ChurnFeatures.ReadAsync(db, services.GetRequiredService<DatabaseConnections>(), now, CancellationToken.None);
        var churnRead = watch.Elapsed.TotalSeconds;
        var churnReadCpu = Cpu() - cpu;
        watch.Restart();
        var sum = 0.0;
        for (var i = 0; i < data.Rows.Length; i++)
        {
            sum += churn.Score(data.Rows[i]);
            sum += churn.Explain(data.Rows[i]).Take(ChurnTraining.ReasonCount).Sum(c => c.Contribution);
        }
        var churnScore = watch.Elapsed.TotalSeconds;
        watch.Restart();
        cpu = Cpu();
        PurchaseHistory history;
        await using (var db = await contexts.CreateDbContextAsync()) history = await PurchaseHistory.ReadAsync(db, CancellationToken.None);
        var recommendRead = watch.Elapsed.TotalSeconds;
        var recommendReadCpu = Cpu() - cpu;
        watch.Restart();
        var ranking = new RecommendationRanking(recommender, history, services.GetRequiredService<IOptions<RecommendationsOptions>>().Value, now);
        var rows = 0;
        foreach (var customer in history.Customers) rows += ranking.Rank(customer).Count;
        var recommendRank = watch.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"phases (apart from the figure): churn read={churnRead:0.00} s (cpu {churnReadCpu:0.00} s) score+explain={churnScore:0.00} s ({data.Rows.Length} rows, {sum:0}); recommendations read={recommendRead:0.00} s (cpu {recommendReadCpu:0.00} s) rank={recommendRank:0.00} s ({rows} rows)"));
    }
}
