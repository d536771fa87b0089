using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Baskets;

/// <summary>An itemset found in at least the minimum number of baskets.</summary>
/// <param name="Items">Item ids in increasing order.</param>
/// <param name="Count">Number of baskets holding every item of the set.</param>
public sealed record FrequentItemset(int[] Items, int Count)
{
    /// <summary>The items as text, e.g. "{3, 17}", for logs and test messages.</summary>
    public override string ToString() => "{" + string.Join(", ", Items) + "} ×" + Count;
}

/// <summary>Settings for <see cref="Apriori.Mine"/> and <see cref="FpGrowth.Mine"/>.</summary>
public sealed record ItemsetOptions
{
    /// <summary>
    /// Minimum support as a share of baskets: an itemset is frequent when its count is at least
    /// ⌈MinSupport · baskets⌉, computed in decimal so 0.001 of 9,835 baskets is exactly 10.
    /// </summary>
    public double MinSupport { get; init; } = 0.01;

    /// <summary>Minimum count of baskets; when set it replaces <see cref="MinSupport"/>.</summary>
    public int? MinCount { get; init; }

    /// <summary>Shortest itemset to report (longer-than-this sets are still mined below it, for rule confidence).</summary>
    public int MinLength { get; init; } = 1;

    /// <summary>Longest itemset to mine.</summary>
    public int MaxLength { get; init; } = int.MaxValue;
}

/// <summary>Checks of <see cref="ItemsetOptions"/> shared by both miners.</summary>
internal static class ItemsetLimits
{
    /// <summary>The minimum basket count for <paramref name="baskets"/> baskets.</summary>
    public static int Threshold(ItemsetOptions options, int baskets)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MinLength < 1) throw new ArgumentException($"MinLength must be at least 1 (was {options.MinLength}).", nameof(options));
        if (options.MaxLength < options.MinLength)
        {
            throw new ArgumentException($"MaxLength ({options.MaxLength}) is below MinLength ({options.MinLength}).", nameof(options));
        }
        if (options.MinCount is { } count)
        {
            if (count < 1) throw new ArgumentException($"MinCount must be at least 1 (was {count}).", nameof(options));
            return count;
        }
        if (!(options.MinSupport > 0 && options.MinSupport <= 1))
        {
            throw new ArgumentException($"MinSupport must be in (0, 1] (was {options.MinSupport}).", nameof(options));
        }
        return Math.Max(1, (int)decimal.Ceiling((decimal)options.MinSupport * baskets));
    }
}

/// <summary>
/// The frequent itemsets of a basket table, in a canonical order (by length, then item ids), so Apriori and
/// FP-Growth results compare element by element; with a count lookup for any mined set.
/// </summary>
public sealed class FrequentItemsets
{
    private readonly Dictionary<int[], int> _counts;
    private readonly Dictionary<int[], int>.AlternateLookup<ReadOnlySpan<int>> _lookup;

    // Cold command-line runs would otherwise spend most of their time in unoptimised first-tier code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal FrequentItemsets(List<FrequentItemset> all, int baskets, int minCount, int minLength)
    {
        all.Sort(CanonicalOrder);
        _counts = new Dictionary<int[], int>(all.Count, ArrayComparer.Instance);
        foreach (var set in all) _counts.Add(set.Items, set.Count);
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<int>>();
        Itemsets = minLength <= 1 ? all : all.FindAll(s => s.Items.Length >= minLength);
        Baskets = baskets;
        MinCount = minCount;
    }

    /// <summary>The reported itemsets (at least <see cref="ItemsetOptions.MinLength"/> items), shortest first, then by item ids.</summary>
    public IReadOnlyList<FrequentItemset> Itemsets { get; }

    /// <summary>Number of baskets mined: the support denominator.</summary>
    public int Baskets { get; }

    /// <summary>The count threshold used.</summary>
    public int MinCount { get; }

    /// <summary>Support of <paramref name="itemset"/>: its count over the number of baskets.</summary>
    public double Support(FrequentItemset itemset)
    {
        ArgumentNullException.ThrowIfNull(itemset);
        return (double)itemset.Count / Baskets;
    }

    /// <summary>Count of a mined itemset given as increasing item ids, or null when it was not frequent (or not mined).</summary>
    public int? CountOf(ReadOnlySpan<int> items) => _lookup.TryGetValue(items, out var count) ? count : null;

    internal int CountOfMined(ReadOnlySpan<int> items) => _lookup[items];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int CanonicalOrder(FrequentItemset a, FrequentItemset b)
    {
        if (a.Items.Length != b.Items.Length) return a.Items.Length.CompareTo(b.Items.Length);
        return a.Items.AsSpan().SequenceCompareTo(b.Items);
    }
}
