using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Insights;

/// <summary>
/// A customer's stored churn score (probability of buying nothing in the next <see cref="ChurnFeatures.HorizonDays"/> days)
/// with the reasons behind it, from the active churn model version; read by the 360, never computed per request.
/// </summary>
public sealed class ChurnScore
{
    [Key] public long CustomerId { get; set; }
    public double Score { get; set; }

    /// <summary>The top contributions as JSON: [{"feature","value","effect"}], effect in log-odds (positive raises the risk).</summary>
    public required string Reasons { get; set; }
    public int ModelVersion { get; set; }
    public DateTime ScoredAt { get; set; }
}
