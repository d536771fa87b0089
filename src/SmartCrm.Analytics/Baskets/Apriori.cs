using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Baskets;

/// <summary>
/// Apriori (Agrawal and Srikant): level by level, candidates of length k+1 are joined from frequent sets of
/// length k sharing their first k−1 items and pruned unless every k-subset is frequent. Counting is vertical:
/// each frequent set keeps the sorted list of baskets holding it and each item a bitset of its baskets; a
/// candidate joined from parents A and B is counted by testing A's baskets against the bitset of B's last item
/// (or the other way round, whichever list is shorter), so counting costs the size of one parent's list rather
/// than a pass over the data.
/// </summary>
public static class Apriori
{
    /// <summary>All itemsets found in at least the minimum number of baskets.</summary>
    /// <param name="baskets">The baskets.</param>
    /// <param name="options">Support threshold and length limits.</param>
    /// <param name="progress">Receives the number of itemsets found after each level.</param>
    /// <param name="cancellationToken">Stops between candidates.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FrequentItemsets Mine(BasketTable baskets, ItemsetOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var need = ItemsetLimits.Threshold(options, baskets.Count);
        var found = new List<FrequentItemset>();

        // Level 1: the baskets of each item.
        var itemCounts = new int[baskets.ItemCount];
        for (var b = 0; b < baskets.Count; b++) foreach (var item in baskets[b]) itemCounts[item]++;
        var itemBaskets = new int[baskets.ItemCount][];
        for (var item = 0; item < itemCounts.Length; item++) if (itemCounts[item] >= need) itemBaskets[item] = new int[itemCounts[item]];
        var filled = new int[baskets.ItemCount];
        for (var b = 0; b < baskets.Count; b++)
        {
            foreach (var item in baskets[b]) if (itemBaskets[item] is { } list) list[filled[item]++] = b;
        }
        var levelSets = new List<int[]>();
        var levelBaskets = new List<int[]>();
        for (var item = 0; item < itemCounts.Length; item++)
        {
            if (itemBaskets[item] is not { } list) continue;
            levelSets.Add([item]);
            levelBaskets.Add(list);
            found.Add(new FrequentItemset([item], list.Length));
        }
        progress?.Report(found.Count);

        var words = (baskets.Count + 63) / 64;
        var itemBits = new ulong[(long)baskets.ItemCount * words];
        for (var item = 0; item < itemCounts.Length; item++)
        {
            if (itemBaskets[item] is not { } list) continue;
            var bits = itemBits.AsSpan((int)((long)item * words), words);
            foreach (var b in list) bits[b >> 6] |= 1UL << (b & 63);
        }
        var shared = new int[baskets.Count];
        for (var length = 2; length <= options.MaxLength && levelSets.Count > 1; length++)
        {
            var frequent = new HashSet<int[]>(levelSets, ArrayComparer.Instance).GetAlternateLookup<ReadOnlySpan<int>>();
            var nextSets = new List<int[]>();
            var nextBaskets = new List<int[]>();
            var candidate = new int[length];
            var subset = new int[length - 1];
            // Sets sharing the first length−2 items are adjacent in the (lexicographically sorted) level.
            var blockStart = 0;
            while (blockStart < levelSets.Count)
            {
                var blockEnd = blockStart + 1;
                while (blockEnd < levelSets.Count && SamePrefix(levelSets[blockStart], levelSets[blockEnd])) blockEnd++;
                for (var a = blockStart; a < blockEnd; a++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var left = levelSets[a];
                    left.CopyTo(candidate, 0);
                    for (var b = a + 1; b < blockEnd; b++)
                    {
                        candidate[length - 1] = levelSets[b][^1];
                        if (!AllSubsetsFrequent(candidate, subset, frequent)) continue;
                        var (shorter, item) = levelBaskets[a].Length <= levelBaskets[b].Length
                            ? (levelBaskets[a], levelSets[b][^1])
                            : (levelBaskets[b], left[^1]);
                        var count = Intersect(shorter, itemBits.AsSpan((int)((long)item * words), words), shared, need);
                        if (count < need) continue;
                        var itemset = (int[])candidate.Clone();
                        nextSets.Add(itemset);
                        nextBaskets.Add(shared.AsSpan(0, count).ToArray());
                        found.Add(new FrequentItemset(itemset, count));
                    }
                }
                blockStart = blockEnd;
            }
            levelSets = nextSets;
            levelBaskets = nextBaskets;
            progress?.Report(found.Count);
        }
        return new FrequentItemsets(found, baskets.Count, need, options.MinLength);
    }

    private static bool SamePrefix(int[] a, int[] b) => a.AsSpan(0, a.Length - 1).SequenceEqual(b.AsSpan(0, b.Length - 1));

    /// <summary>The two subsets that drop one of the last two items are the parents; the others are looked up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllSubsetsFrequent(int[] candidate, int[] subset, HashSet<int[]>.AlternateLookup<ReadOnlySpan<int>> frequent)
    {
        for (var skip = 0; skip < candidate.Length - 2; skip++)
        {
            var at = 0;
            for (var i = 0; i < candidate.Length; i++) if (i != skip) subset[at++] = candidate[i];
            if (!frequent.Contains(subset)) return false;
        }
        return true;
    }

    /// <summary>
    /// The baskets of <paramref name="list"/> whose bit is set in <paramref name="bits"/>, into <paramref name="result"/>;
    /// gives up early (returning a count below <paramref name="need"/>) once too few baskets remain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Intersect(int[] list, ReadOnlySpan<ulong> bits, int[] result, int need)
    {
        var count = 0;
        for (var i = 0; i < list.Length; i++)
        {
            if (count + list.Length - i < need) return count;
            var basket = list[i];
            if ((bits[basket >> 6] & (1UL << (basket & 63))) != 0) result[count++] = basket;
        }
        return count;
    }
}

/// <summary>Structural equality for item arrays, with span lookups that allocate nothing.</summary>
internal sealed class ArrayComparer : IEqualityComparer<int[]>, IAlternateEqualityComparer<ReadOnlySpan<int>, int[]>
{
    public static readonly ArrayComparer Instance = new();

    public bool Equals(int[]? x, int[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(int[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<int> alternate, int[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<int> alternate) => Hash(alternate);

    public int[] Create(ReadOnlySpan<int> alternate) => alternate.ToArray();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Hash(ReadOnlySpan<int> items)
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(items));
        return hash.ToHashCode();
    }
}
