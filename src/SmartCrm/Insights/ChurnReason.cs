namespace SmartCrm.Insights;

/// <summary>One reason behind a churn score: a feature, the customer's value of it, and how much it moved the score (log-odds).</summary>
public sealed record ChurnReason(string Feature, double Value, double Effect)
{
    /// <summary>Raises the risk (true) or lowers it.</summary>
    public bool Raises => Effect > 0;
}
