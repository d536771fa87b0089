using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Recommendations;

/// <summary>How recommendations are trained and stored (section "Recommendations").</summary>
public sealed class RecommendationsOptions
{
    public const string Section = "Recommendations";

    // Implicit ALS settings of `smartcrm eval recommend` (chosen there on a validation split of ml-100k u1.base), so the
    // product reproduces its figure on the same data.

    [Range(1, 512)] public int Factors { get; set; } = 32;
    [Range(0, 1000)] public double Alpha { get; set; } = 1;
    [Range(0, 10_000)] public double Regularization { get; set; } = 20;
    [Range(1, 100)] public int Iterations { get; set; } = 15;

    /// <summary>Recommendations stored per customer (the 360 shows the first five).</summary>
    [Range(1, 100)] public int PerCustomer { get; set; } = 10;

    /// <summary>The k of the holdout precision@k that decides activation.</summary>
    [Range(1, 100)] public int PrecisionAt { get; set; } = 10;

    /// <summary>Share of each customer's choices held out to measure the model trained on the rest.</summary>
    [Range(0.05, 0.5)] public double Holdout { get; set; } = 0.2;

    /// <summary>Added to the score of an accessory that goes with a device the customer owns, so such rules come before taste alone.</summary>
    [Range(0, 10)] public double DeviceBonus { get; set; } = 0.5;

    /// <summary>An accessory bought before is offered again only after this many days, and only if its buyers buy it again (a consumable).</summary>
    [Range(1, 3650)] public int ReorderDays { get; set; } = 150;

    /// <summary>Share of an accessory's buyers who bought it in two orders or more from which it counts as a consumable.</summary>
    [Range(0, 1)] public double ConsumableRepeatShare { get; set; } = 0.1;
}
