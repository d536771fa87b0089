namespace SmartCrm.Recommendations;

/// <summary>A stored recommendation as the 360 and the API show it: the product, its score and why, in the reader's language.</summary>
public sealed record RecommendationView(long ProductId, string Sku, string Name, int Rank, double Score, string Source, string Reason, int ModelVersion);
