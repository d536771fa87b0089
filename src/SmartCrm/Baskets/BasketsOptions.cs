using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Baskets;

/// <summary>How basket rules are mined (section "Baskets").</summary>
public sealed class BasketsOptions
{
    public const string Section = "Baskets";

    /// <summary>Share of orders a set of products must appear in. 0.002 keeps pairs bought in one order of 500.</summary>
    [Range(1e-6, 1)] public double MinSupport { get; set; } = 0.002;

    /// <summary>Share of the orders holding the antecedent that also hold the consequent.</summary>
    [Range(0, 1)] public double MinConfidence { get; set; } = 0.1;

    /// <summary>Rules kept, strongest lift first: a bound on the table and on the training's memory.</summary>
    [Range(1, 1_000_000)] public int MaxRules { get; set; } = 20_000;

    /// <summary>Share of the newest orders held out to measure the rules mined from the older ones.</summary>
    [Range(0.05, 0.5)] public double Holdout { get; set; } = 0.2;
}
