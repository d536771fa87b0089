namespace SmartCrm.Insights;

/// <summary>The churn answer of the 360: the stored score, its band, and its reasons in the reader's language.</summary>
public sealed record ChurnInsight(double Score, string Band, IReadOnlyList<ChurnInsightReason> Reasons, int ModelVersion, DateTime ScoredAt);

/// <summary>One reason as the 360 shows it.</summary>
public sealed record ChurnInsightReason(string Feature, double Value, double Effect, bool Raises, string Text);
