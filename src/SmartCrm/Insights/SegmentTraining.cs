using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Analytics.Clustering;
using SmartCrm.Models;
using SmartCrm.Storage;

namespace SmartCrm.Insights;

/// <summary>
/// Segmentation: k-means on each buyer's value (recency, frequency, spend: RFM) and behaviour (contacts, devices, how long
/// they have been silent, usage trend, alarms), z-scored after a log of the counts; k from 2 to 6, chosen by the highest
/// mean silhouette (every k's figures are kept in the version's metrics, which the Segments page shows).
/// </summary>
public sealed class SegmentTraining(IDbContextFactory<CrmDb> contexts, DatabaseConnections connections, TimeProvider clock) : ModelTraining
{
    public const string Name = "segments";

    /// <summary>The features used, by their churn-feature names.</summary>
    public static readonly string[] Features = ["recencyDays", "orders365", "spend365", "interactions90", "devices", "quietDays", "usageTrend", "alarms90"];

    private (ChurnFeatures Data, KMeansResult Fit, double[] Means, double[] Scales)? _trained;

    public override string Kind => Name;

    public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await progress.ReportAsync(0.05, "reading customers' value and device usage", cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var data = await ChurnFeatures.ReadAsync(db, connections, now, cancellationToken);
        if (data.Customers.Length < 20) throw new InvalidOperationException($"Too few customers with purchases to segment: {data.Customers.Length}.");
        var columns = Features.Select(f => Array.IndexOf(ChurnFeatures.Names, f)).ToArray();
        var raw = new double[data.Customers.Length, columns.Length];
        for (var i = 0; i < data.Customers.Length; i++)
            for (var j = 0; j < columns.Length; j++)
            {
                var v = data.Rows[i][columns[j]];
                // Counts and money are skewed: a log keeps a few big buyers from being a segment of their own.
                raw[i, j] = Features[j] is "usageTrend" ? v : Math.Log(1 + Math.Max(0, v));
            }
        var (points, means, scales) = ZScore(raw);
        await progress.ReportAsync(0.2, "trying k = 2 … 6", cancellationToken);
        var options = new KMeansOptions { Restarts = 4, Seed = 1 };
        var choice = ClusterCount.Choose(points, 2, 6, options, silhouetteSample: 1500, cancellationToken: cancellationToken);
        var k = choice.BySilhouette;
        await progress.ReportAsync(0.8, $"k = {k} by silhouette", cancellationToken);
        var fit = KMeans.Fit(points, options with { Clusters = k }, cancellationToken: cancellationToken);
        _trained = (data, fit, means, scales);
        var best = choice.Candidates.First(c => c.Clusters == k);
        var metrics = new Dictionary<string, double> { ["silhouette"] = Math.Round(best.Silhouette, 4), ["k"] = k, ["customers"] = data.Customers.Length };
        foreach (var c in choice.Candidates)
        {
            metrics[$"silhouette_k{c.Clusters}"] = Math.Round(c.Silhouette, 4);
            metrics[$"inertia_k{c.Clusters}"] = Math.Round(c.Inertia, 1);
        }
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { features = Features, means, scales, centroids = ToRows(fit.Centroids) });
        return new ModelCandidate(Kind, "silhouette", best.Silhouette, true, metrics, now.AddDays(-365), now, payload);
    }

    public override async Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_trained is not { } t) return;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEnabled = false;
        var k = t.Fit.Centroids.GetLength(0);
        var members = Enumerable.Range(0, k).Select(_ => new List<long>()).ToArray();
        for (var i = 0; i < t.Data.Customers.Length; i++) members[t.Fit.Labels[i]].Add(t.Data.Customers[i]);
        var churn = await db.ChurnScores.ToDictionaryAsync(s => s.CustomerId, s => s.Score, cancellationToken);
        var lines = await db.OrderLines.Join(db.Orders, l => l.OrderId, o => o.Id, (l, o) => new { o.CustomerId, l.ProductId })
            .Join(db.Products, x => x.ProductId, p => p.Id, (x, p) => new { x.CustomerId, p.Name }).ToListAsync(cancellationToken);
        var spendColumn = Array.IndexOf(ChurnFeatures.Names, "spend365");
        var recencyColumn = Array.IndexOf(ChurnFeatures.Names, "recencyDays");
        var devicesColumn = Array.IndexOf(ChurnFeatures.Names, "devices");
        var rowOf = t.Data.Customers.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var segments = new List<Segment>();
        for (var s = 0; s < k; s++)
        {
            var ids = members[s];
            if (ids.Count == 0) continue;
            var set = ids.ToHashSet();
            var rows = ids.Select(id => t.Data.Rows[rowOf[id]]).ToList();
            var distinctive = Features.Select((f, j) => new { feature = f, z = Math.Round(t.Fit.Centroids[s, j], 2) })
                .OrderByDescending(x => Math.Abs(x.z)).Take(3).ToList();
            segments.Add(new Segment
            {
                Number = s + 1, ModelVersion = version.Version, Size = ids.Count,
                AverageSpend = Math.Round(rows.Average(r => r[spendColumn]), 2),
                AverageRecencyDays = Math.Round(rows.Average(r => r[recencyColumn]), 1),
                DeviceShare = Math.Round(rows.Count(r => r[devicesColumn] > 0) / (double)rows.Count, 3),
                AverageChurn = Math.Round(ids.Select(id => churn.GetValueOrDefault(id)).Average(), 3),
                TypicalProducts = string.Join(", ", lines.Where(l => set.Contains(l.CustomerId)).GroupBy(l => l.Name).OrderByDescending(g => g.Count()).Take(3).Select(g => g.Key)),
                Distinctive = JsonSerializer.Serialize(distinctive),
            });
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Segments.ExecuteDeleteAsync(cancellationToken);
        db.Segments.AddRange(segments);
        await db.SaveChangesAsync(cancellationToken);
        await db.Customers.ExecuteUpdateAsync(u => u.SetProperty(c => c.Segment, (int?)null), cancellationToken);
        for (var s = 0; s < k; s++)
        {
            var ids = members[s];
            var number = s + 1;
            foreach (var chunk in ids.Chunk(500))
                await db.Customers.Where(c => chunk.Contains(c.Id)).ExecuteUpdateAsync(u => u.SetProperty(c => c.Segment, number), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static (double[,] Points, double[] Means, double[] Scales) ZScore(double[,] raw)
    {
        int n = raw.GetLength(0), d = raw.GetLength(1);
        var means = new double[d];
        var scales = new double[d];
        for (var j = 0; j < d; j++)
        {
            double sum = 0, squares = 0;
            for (var i = 0; i < n; i++) sum += raw[i, j];
            means[j] = sum / n;
            for (var i = 0; i < n; i++) squares += Math.Pow(raw[i, j] - means[j], 2);
            scales[j] = Math.Sqrt(squares / n) is var sd && sd > 1e-9 ? sd : 1;
        }
        var points = new double[n, d];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < d; j++) points[i, j] = (raw[i, j] - means[j]) / scales[j];
        return (points, means, scales);
    }

    private static double[][] ToRows(double[,] m) =>
        [.. Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => Math.Round(m[i, j], 4)).ToArray())];
}
