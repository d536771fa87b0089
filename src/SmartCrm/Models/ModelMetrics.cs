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
}
