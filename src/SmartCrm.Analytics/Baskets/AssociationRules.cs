namespace SmartCrm.Analytics.Baskets;

/// <summary>
/// A rule X → Y: baskets holding the antecedent X tend to hold the consequent Y too. The measures come from
/// exact basket counts.
/// </summary>
/// <param name="Antecedent">Items of X, increasing ids.</param>
/// <param name="Consequent">Items of Y, increasing ids; disjoint from X.</param>
/// <param name="Count">Baskets holding X ∪ Y.</param>
/// <param name="AntecedentCount">Baskets holding X.</param>
/// <param name="ConsequentCount">Baskets holding Y.</param>
/// <param name="Baskets">All baskets mined.</param>
public sealed record AssociationRule(int[] Antecedent, int[] Consequent, int Count, int AntecedentCount, int ConsequentCount, int Baskets)
{
    /// <summary>Share of baskets holding X ∪ Y.</summary>
    public double Support => (double)Count / Baskets;

    /// <summary>Share of the baskets with X that also hold Y: P(Y | X).</summary>
    public double Confidence => (double)Count / AntecedentCount;

    /// <summary>Confidence over the support of Y: above 1 when X raises the chance of Y.</summary>
    public double Lift => (double)Count * Baskets / ((double)AntecedentCount * ConsequentCount);

    /// <summary>Support of X ∪ Y minus what it would be if X and Y were independent.</summary>
    public double Leverage => (double)Count / Baskets - (double)AntecedentCount / Baskets * ((double)ConsequentCount / Baskets);

    /// <summary>(1 − support(Y)) / (1 − confidence): how much more often the rule would be wrong if X and Y were independent; infinite for confidence 1.</summary>
    public double Conviction => Count == AntecedentCount
        ? double.PositiveInfinity
        : (1 - (double)ConsequentCount / Baskets) / (1 - Confidence);

    /// <summary>The rule as text, e.g. "{3, 17} → {5}", for logs and test messages.</summary>
    public override string ToString() => "{" + string.Join(", ", Antecedent) + "} → {" + string.Join(", ", Consequent) + "}";
}

/// <summary>Settings for <see cref="AssociationRules.Generate"/>.</summary>
public sealed record RuleOptions
{
    /// <summary>
    /// Minimum confidence, compared exactly on counts: count(X ∪ Y) / count(X) ≥ MinConfidence is tested as
    /// count(X ∪ Y) · q ≥ p · count(X) with MinConfidence = p / q read as the decimal it was written as, so a
    /// rule of confidence exactly 0.5 is kept at 0.5 (floating-point division can lose it).
    /// </summary>
    public double MinConfidence { get; init; } = 0.8;

    /// <summary>Largest consequent; 1 gives the one-item consequents that R's arules reports.</summary>
    public int MaxConsequentLength { get; init; } = int.MaxValue;
}

/// <summary>Association rules from frequent itemsets.</summary>
public static class AssociationRules
{
    /// <summary>
    /// Every rule X → Y with X ∪ Y a reported frequent itemset (of at least two items), X and Y non-empty and
    /// disjoint, and confidence at least <see cref="RuleOptions.MinConfidence"/>. Rules come in the itemsets'
    /// canonical order.
    /// </summary>
    /// <param name="itemsets">Output of <see cref="Apriori.Mine"/> or <see cref="FpGrowth.Mine"/>.</param>
    /// <param name="options">Confidence threshold and consequent size limit.</param>
    /// <param name="cancellationToken">Stops between itemsets.</param>
    /// <exception cref="ArgumentException">A confidence outside [0, 1], a consequent limit below 1, or an itemset too long to split (over 30 items).</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<AssociationRule> Generate(FrequentItemsets itemsets, RuleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemsets);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.MinConfidence >= 0 && options.MinConfidence <= 1))
        {
            throw new ArgumentException($"MinConfidence must be in [0, 1] (was {options.MinConfidence}).", nameof(options));
        }
        if (options.MaxConsequentLength < 1)
        {
            throw new ArgumentException($"MaxConsequentLength must be at least 1 (was {options.MaxConsequentLength}).", nameof(options));
        }
        var (numerator, denominator) = Fraction((decimal)options.MinConfidence);
        var rules = new List<AssociationRule>();
        Span<int> left = stackalloc int[32];
        Span<int> right = stackalloc int[32];
        foreach (var set in itemsets.Itemsets)
        {
            var items = set.Items;
            var length = items.Length;
            if (length < 2) continue;
            if (length > 30) throw new ArgumentException($"Itemset {set} has {length} items; rules are generated for itemsets of at most 30.", nameof(itemsets));
            cancellationToken.ThrowIfCancellationRequested();
            var full = (1 << length) - 1;
            // Each mask picks the antecedent; its complement is the consequent.
            for (var mask = 1; mask < full; mask++)
            {
                var consequentLength = length - System.Numerics.BitOperations.PopCount((uint)mask);
                if (consequentLength > options.MaxConsequentLength) continue;
                int l = 0, r = 0;
                for (var i = 0; i < length; i++)
                {
                    if ((mask & (1 << i)) != 0) left[l++] = items[i];
                    else right[r++] = items[i];
                }
                var antecedentCount = itemsets.CountOfMined(left[..l]);
                if ((UInt128)(uint)set.Count * denominator < numerator * (uint)antecedentCount) continue;
                var consequentCount = itemsets.CountOfMined(right[..r]);
                rules.Add(new AssociationRule(left[..l].ToArray(), right[..r].ToArray(), set.Count, antecedentCount, consequentCount, itemsets.Baskets));
            }
        }
        return rules;
    }

    /// <summary>The decimal as numerator / denominator (a power of ten), exactly.</summary>
    internal static (UInt128 Numerator, UInt128 Denominator) Fraction(decimal value)
    {
        var bits = decimal.GetBits(value);
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        UInt128 denominator = 1;
        for (var i = 0; i < scale; i++) denominator *= 10;
        return (mantissa, denominator);
    }
}
