using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Insights;

/// <summary>Reads a customer's stored churn score and puts its reasons into the reader's language.</summary>
public sealed class ChurnReader(CrmDb db, IStringLocalizer<Strings> l)
{
    /// <summary>At or above: high risk; the next band down starts at <see cref="Medium"/>.</summary>
    public const double High = 0.5;

    public const double Medium = 0.25;

    public async Task<ChurnInsight?> ReadAsync(long customerId, CancellationToken cancellationToken)
    {
        var stored = await Stored.For(db)(db, customerId, cancellationToken);
        if (stored is null) return null;
        var reasons = JsonSerializer.Deserialize<List<ChurnReason>>(stored.Reasons, ChurnTraining.ReasonJson) ?? [];
        return new ChurnInsight(stored.Score, Band(stored.Score),
            [.. reasons.Select(r => new ChurnInsightReason(r.Feature, r.Value, r.Effect, r.Raises, ChurnReasonText.Describe(r, l)))],
            stored.ModelVersion, stored.ScoredAt);
    }

    public static string Band(double score) => score >= High ? "high" : score >= Medium ? "medium" : "low";

    /// <summary>The read compiled once: EF otherwise rebuilds the query's cache key on every 360.</summary>
    private static readonly PerModel<Func<CrmDb, long, CancellationToken, Task<ChurnScore?>>> Stored = new(() => EF.CompileAsyncQuery(
        (CrmDb db, long customerId, CancellationToken _) => db.ChurnScores.FirstOrDefault(s => s.CustomerId == customerId)));
}
