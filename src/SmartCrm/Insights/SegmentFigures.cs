using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Models;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Insights;

/// <summary>
/// The numbers behind the segments page's charts: each segment's size, average yearly spend and average churn risk, and the
/// mean silhouette of every k the training tried (why k is what it is). The page draws them and the CSV serves the same rows.
/// </summary>
public sealed class SegmentFigures(CrmDb db, ModelRegistry registry)
{
    /// <summary>The charts by name, as the CSV address names them.</summary>
    public static readonly string[] Names = ["size", "spend", "churn", "k"];

    public async Task<Dictionary<string, Figure>> ReadAsync(CancellationToken cancellationToken)
    {
        var segments = await db.Segments.AsNoTracking().OrderBy(s => s.Number).ToListAsync(cancellationToken);
        var version = (await registry.HistoryAsync(SegmentTraining.Name, 50, cancellationToken)).FirstOrDefault(v => v.Active);
        Figure PerSegment(string name, string series, Func<Segment, double> value) =>
            new($"segments-{name}", "segment", [series], [.. segments.Select(s => new Figure.Row(s.Number.ToString(CultureInfo.InvariantCulture), [value(s)]))]);
        return new()
        {
            ["size"] = PerSegment("size", "customers", s => s.Size),
            ["spend"] = PerSegment("spend", "average_spend", s => s.AverageSpend),
            ["churn"] = PerSegment("churn", "average_churn", s => s.AverageChurn),
            ["k"] = Silhouettes(version?.Metrics),
        };
    }

    /// <summary>Mean silhouette and inertia per k tried, from the active version's metrics (silhouette_k2, inertia_k2...).</summary>
    public static Figure Silhouettes(string? metrics)
    {
        var m = metrics is null ? [] : JsonSerializer.Deserialize<Dictionary<string, double>>(metrics) ?? [];
        var rows = new List<Figure.Row>();
        for (var k = 2; k <= 20; k++)
        {
            if (m.TryGetValue($"silhouette_k{k}", out var silhouette))
                rows.Add(new Figure.Row(k.ToString(CultureInfo.InvariantCulture), [silhouette, m.GetValueOrDefault($"inertia_k{k}")]));
        }
        return new Figure("segments-k", "k", ["silhouette", "inertia"], rows);
    }
}
