namespace SmartCrm.Analytics.Recommendation;

/// <summary>A ranker whose raw scores are open, so that the scores of different models can be blended.</summary>
public interface IItemScorer : IItemRanker
{
    /// <summary>
    /// Writes the model's score of each of <paramref name="items"/> (caller ids) for <paramref name="user"/> into
    /// <paramref name="scores"/>; higher is better, and only the order within one user's scores means anything.
    /// An item the model knows nothing about gets NaN.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    void Score(int user, ReadOnlySpan<int> items, Span<double> scores);
}

/// <summary>Checks and item lookups shared by the scorers.</summary>
internal static class ItemScores
{
    public static void CheckLengths(ReadOnlySpan<int> items, Span<double> scores)
    {
        if (items.Length != scores.Length) throw new ArgumentException($"Score: {items.Length} items but room for {scores.Length} scores.", nameof(scores));
    }

    /// <summary>Copies scores held by dense item index into caller-id order; items outside the table get NaN.</summary>
    public static void Gather(RatingTable table, ReadOnlySpan<double> byIndex, ReadOnlySpan<int> items, Span<double> scores)
    {
        for (var n = 0; n < items.Length; n++)
        {
            var i = table.ItemIndex(items[n]);
            scores[n] = i >= 0 ? byIndex[i] : double.NaN;
        }
    }
}
