namespace SmartCrm.Analytics.Recommendation;

/// <summary>Settings for <see cref="ItemKnn"/>.</summary>
public sealed record ItemKnnOptions
{
    /// <summary>Most similar items kept per item.</summary>
    public int Neighbours { get; init; } = 100;

    /// <summary>Added to the cosine denominator so similarities resting on few common users count less.</summary>
    public double Shrinkage { get; init; } = 10;
}

/// <summary>
/// Item-based k-nearest neighbours on implicit feedback: items are similar when the same users rated them
/// (cosine over the binary user-item matrix, shrunk), and a user's score for an item is the summed similarity
/// from the items they rated, counting only each rated item's closest neighbours.
/// </summary>
public sealed class ItemKnn : TableScorer
{
    private readonly int[][] _neighbours;
    private readonly float[][] _similarities;

    private ItemKnn(RatingTable table, int[][] neighbours, float[][] similarities)
        : base(table)
    {
        this._neighbours = neighbours;
        this._similarities = similarities;
    }

    /// <summary>Computes the item neighbourhoods.</summary>
    /// <exception cref="ArgumentException">Neighbours below 1 or negative shrinkage.</exception>
    public static ItemKnn Fit(RatingTable ratings, ItemKnnOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Neighbours < 1) throw new ArgumentException($"Neighbours must be at least 1 (was {options.Neighbours}).", nameof(options));
        if (!(options.Shrinkage >= 0)) throw new ArgumentException($"Shrinkage must not be negative (was {options.Shrinkage}).", nameof(options));
        var items = ratings.ItemCount;
        var raters = new int[items];
        foreach (var i in ratings.Items) raters[i]++;
        var neighbours = new int[items][];
        var similarities = new float[items][];
        var common = new int[items];
        // Users who rated item i, to count co-raters row by row without an items × items matrix.
        var byItemStart = new int[items + 1];
        foreach (var i in ratings.Items) byItemStart[i + 1]++;
        for (var i = 0; i < items; i++) byItemStart[i + 1] += byItemStart[i];
        var byItemUser = new int[ratings.Count];
        var next = (int[])byItemStart.Clone();
        for (var r = 0; r < ratings.Count; r++) byItemUser[next[ratings.Items[r]]++] = ratings.Users[r];

        var candidates = new List<(float Similarity, int Item)>();
        for (var i = 0; i < items; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(common);
            for (var a = byItemStart[i]; a < byItemStart[i + 1]; a++)
            {
                var u = byItemUser[a];
                for (var r = ratings.UserStart[u]; r < ratings.UserStart[u + 1]; r++) common[ratings.ByUserItem[r]]++;
            }
            candidates.Clear();
            for (var j = 0; j < items; j++)
            {
                if (j == i || common[j] == 0) continue;
                var similarity = common[j] / (Math.Sqrt((double)raters[i] * raters[j]) + options.Shrinkage);
                candidates.Add(((float)similarity, j));
            }
            candidates.Sort((x, y) => x.Similarity != y.Similarity ? y.Similarity.CompareTo(x.Similarity) : x.Item.CompareTo(y.Item));
            var kept = Math.Min(options.Neighbours, candidates.Count);
            neighbours[i] = new int[kept];
            similarities[i] = new float[kept];
            for (var n = 0; n < kept; n++) (similarities[i][n], neighbours[i][n]) = candidates[n];
        }
        return new ItemKnn(ratings, neighbours, similarities);
    }

    /// <inheritdoc />
    protected override double[] ScoresByIndex(int u)
    {
        var scores = new double[Table.ItemCount];
        if (u < 0) return scores;
        for (var r = Table.UserStart[u]; r < Table.UserStart[u + 1]; r++)
        {
            var i = Table.ByUserItem[r];
            for (var n = 0; n < _neighbours[i].Length; n++) scores[_neighbours[i][n]] += _similarities[i][n];
        }
        return scores;
    }
}
