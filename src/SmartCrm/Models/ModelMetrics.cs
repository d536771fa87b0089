using System.Globalization;
using SmartCrm.Web;

namespace SmartCrm.Models;

/// <summary>A kind's holdout metric across its versions, oldest first: the figure behind the Models page's chart and its CSV.</summary>
public static class ModelMetrics
{
    /// <summary>The versions measured by the newest version's metric (a kind that changed metric starts a new line there).</summary>
    public static Figure Of(string kind, IEnumerable<ModelVersion> versions)
    {
        var ordered = versions.Where(v => v.Kind == kind).OrderBy(v => v.Version).ToList();
        var metric = ordered.Count == 0 ? "score" : ordered[^1].Metric;
        var rows = ordered.Where(v => v.Metric == metric)
            .Select(v => new Figure.Row(string.Create(CultureInfo.InvariantCulture, $"v{v.Version}"), [v.Score, v.Active ? 1 : 0]))
            .ToList();
        return new Figure($"model-{kind}", "version", [metric, "active"], rows);
    }

    /// <summary>
    /// A version's stored metrics as name and value, in their stored order, for people to read (the JSON itself is for programs).
    /// Only numbers are listed; anything else a future training might store is left out rather than shown as JSON.
    /// </summary>
    public static IReadOnlyList<(string Name, double Value)> Read(string? metrics)
    {
        if (string.IsNullOrWhiteSpace(metrics)) return [];
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(metrics);
            if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object) return [];
            var list = new List<(string, double)>();
            foreach (var p in json.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == System.Text.Json.JsonValueKind.Number && p.Value.TryGetDouble(out var v)) list.Add((p.Name, v));
            }
            return list;
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>True when the version was measured on nothing (a holdout of no examples): its score says nothing, it is not 0.</summary>
    public static bool Unmeasured(IReadOnlyList<(string Name, double Value)> metrics) =>
        metrics.Any(m => m.Name == "holdout_examples" && m.Value == 0);
}
