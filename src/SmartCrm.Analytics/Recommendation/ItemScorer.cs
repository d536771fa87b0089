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

/// <summary>
/// A scorer that scores every item of its <see cref="RatingTable"/> at once for a user: ranking and open scores both come
/// from that one dense score vector.
/// </summary>
public abstract class TableScorer : IItemScorer
{
    /// <summary>The ratings the model was trained on (its users, items and what each user has seen).</summary>
    protected RatingTable Table { get; }

    /// <summary>A scorer over <paramref name="table"/>.</summary>
    protected TableScorer(RatingTable table) => Table = table;

    /// <inheritdoc />
    public IReadOnlyList<int> Recommend(int user, int count)
    {
        var u = Table.UserIndex(user);
        return TopItems.Select(Table, u, ScoresByIndex(u), count);
    }

    /// <inheritdoc />
    public void Score(int user, ReadOnlySpan<int> items, Span<double> scores)
    {
        ItemScores.CheckLengths(items, scores);
        ItemScores.Gather(Table, ScoresByIndex(Table.UserIndex(user)), items, scores);
    }

    /// <summary>The score of every item by dense index for dense user index <paramref name="u"/> (-1: a user the table does not know).</summary>
    protected abstract double[] ScoresByIndex(int u);
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
