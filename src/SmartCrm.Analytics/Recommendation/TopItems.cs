namespace SmartCrm.Analytics.Recommendation;

/// <summary>Picks the best-scoring items a user has not rated, without sorting every item.</summary>
internal static class TopItems
{
    public static IReadOnlyList<int> Select(RatingTable table, int userIndex, ReadOnlySpan<double> scores, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var seen = new HashSet<int>();
        if (userIndex >= 0)
        {
            for (var r = table.UserStart[userIndex]; r < table.UserStart[userIndex + 1]; r++) seen.Add(table.ByUserItem[r]);
        }
        return Best(scores, seen, count, table.ItemIds);
    }

    /// <summary>The best <paramref name="count"/> of <paramref name="items"/> (caller ids, scored alike) outside <paramref name="excluded"/>; NaN scores never qualify.</summary>
    public static IReadOnlyList<int> Select(ReadOnlySpan<int> items, ReadOnlySpan<double> scores, IReadOnlySet<int> excluded, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var skip = new HashSet<int>();
        for (var i = 0; i < items.Length; i++) if (excluded.Contains(items[i])) skip.Add(i);
        return Best(scores, skip, count, items);
    }

    private static int[] Best(ReadOnlySpan<double> scores, HashSet<int> skip, int count, ReadOnlySpan<int> ids)
    {
        // A min-heap of the best `count` so far; ties prefer the lower position so results repeat.
        var heap = new PriorityQueue<int, (double Score, int Negated)>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (double.IsNaN(scores[i]) || skip.Contains(i)) continue;
            var key = (scores[i], -i);
            if (heap.Count < count) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0)
            {
                heap.DequeueEnqueue(i, key);
            }
        }
        var result = new int[heap.Count];
        for (var at = result.Length - 1; at >= 0; at--) result[at] = ids[heap.Dequeue()];
        return result;
    }
}
