namespace SmartCrm.Analytics.Recommendation;

/// <summary>
/// The most-rated items the user has not rated yet: the answer for new users and the bar every personalised
/// ranker must clear.
/// </summary>
public sealed class PopularItems : IItemScorer
{
    private readonly RatingTable _table;
    private readonly double[] _counts;

    private PopularItems(RatingTable table, double[] counts)
    {
        this._table = table;
        this._counts = counts;
    }

    /// <summary>Counts the ratings of each item.</summary>
    public static PopularItems Fit(RatingTable ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var counts = new double[ratings.ItemCount];
        foreach (var i in ratings.Items) counts[i]++;
        return new PopularItems(ratings, counts);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Recommend(int user, int count) => TopItems.Select(_table, _table.UserIndex(user), _counts, count);

    /// <inheritdoc />
    public void Score(int user, ReadOnlySpan<int> items, Span<double> scores)
    {
        ItemScores.CheckLengths(items, scores);
        ItemScores.Gather(_table, _counts, items, scores);
    }
}
