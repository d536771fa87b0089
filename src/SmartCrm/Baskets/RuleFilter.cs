namespace SmartCrm.Baskets;

/// <summary>Which basket rules a list shows: thresholds on each measure, a product on either side, and the order.</summary>
public sealed record RuleFilter(double MinSupport = 0, double MinConfidence = 0, double MinLift = 0, long? Product = null, string? Sort = null);
