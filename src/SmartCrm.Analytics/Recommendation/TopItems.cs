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
        // A min-heap of the best `count` so far; ties prefer the lower item index so results repeat.
        var heap = new PriorityQueue<int, (double Score, int Negated)>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (seen.Contains(i)) continue;
            var key = (scores[i], -i);
            if (heap.Count < count) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0)
            {
                heap.DequeueEnqueue(i, key);
            }
        }
        var result = new int[heap.Count];
        for (var at = result.Length - 1; at >= 0; at--) result[at] = table.ItemId(heap.Dequeue());
        return result;
    }
}
