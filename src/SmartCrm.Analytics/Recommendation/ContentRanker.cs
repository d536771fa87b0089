using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>What an item is about, in words: title, category names, description.</summary>
/// <param name="Item">The caller's item id.</param>
/// <param name="Text">Free text; any language the <see cref="Tokeniser"/> serves.</param>
public readonly record struct ItemDescription(int Item, string Text);

/// <summary>Settings for <see cref="ContentRanker"/>.</summary>
public sealed record ContentOptions
{
    /// <summary>How descriptions become terms: words by default.</summary>
    public Tokeniser Tokeniser { get; init; } = new(TermKind.Words);

    /// <summary>How term counts become weights.</summary>
    public TfidfOptions Tfidf { get; init; } = new();

    /// <summary>
    /// Weight each rated item in a profile by the rating minus the user's mean rating (true), or count every item
    /// the user has alike (false: for purchases, visits and other histories without a scale).
    /// </summary>
    public bool WeightByRating { get; init; } = true;
}

/// <summary>
/// Content-based recommendation: each item is the TF-IDF vector of its description, a user's profile is the mean
/// of the vectors of the items they rated weighted by how far each rating lies above or below the user's own
/// mean (liked items pull the profile towards them, disliked ones push it away), and an item's score is its
/// cosine with the profile. Items nobody has rated yet are scored like any other, so new items reach users from
/// the first day; a user whose profile is empty gets the most-rated items.
/// </summary>
public sealed class ContentRanker : IItemScorer
{
    private readonly RatingTable _table;
    private readonly int[] _items;
    private readonly Dictionary<int, int> _rowOf;
    private readonly CsrMatrix _vectors;
    private readonly double[] _norms;
    private readonly double[] _popularity;
    private readonly bool _weightByRating;

    private ContentRanker(RatingTable table, int[] items, Dictionary<int, int> rowOf, CsrMatrix vectors, double[] popularity, bool weightByRating)
    {
        this._weightByRating = weightByRating;
        this._table = table;
        this._items = items;
        this._rowOf = rowOf;
        this._vectors = vectors;
        this._popularity = popularity;
        _norms = new double[vectors.Rows];
        for (var r = 0; r < _norms.Length; r++) _norms[r] = vectors.Row(r).Norm();
    }

    /// <summary>The catalogue: every described item, in the order given.</summary>
    public IReadOnlyList<int> Items => _items;

    /// <summary>Learns the vocabulary from the descriptions and keeps the ratings for the users' profiles.</summary>
    /// <param name="ratings">Who rated what; items missing from the catalogue are left out of profiles.</param>
    /// <param name="catalogue">One description per item, rated or not.</param>
    /// <param name="options">Tokeniser and TF-IDF weighting.</param>
    /// <exception cref="ArgumentException">An empty catalogue, an item described twice, a null text, or descriptions without a single term.</exception>
    public static ContentRanker Fit(RatingTable ratings, IReadOnlyList<ItemDescription> catalogue, ContentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(catalogue);
        options ??= new ContentOptions();
        if (catalogue.Count == 0) throw new ArgumentException("ContentRanker.Fit: the catalogue is empty.", nameof(catalogue));
        var items = new int[catalogue.Count];
        var texts = new string[catalogue.Count];
        var rowOf = new Dictionary<int, int>(catalogue.Count);
        for (var r = 0; r < catalogue.Count; r++)
        {
            var (item, text) = catalogue[r];
            if (!rowOf.TryAdd(item, r)) throw new ArgumentException($"ContentRanker.Fit: item {item} is described twice.", nameof(catalogue));
            items[r] = item;
            texts[r] = text ?? throw new ArgumentException($"ContentRanker.Fit: item {item} has no text.", nameof(catalogue));
        }
        var (_, vectors) = TfidfVectoriser.FitTransform(texts, options.Tokeniser, options.Tfidf);
        var popularity = new double[items.Length];
        foreach (var i in ratings.Items)
            if (rowOf.TryGetValue(ratings.ItemId(i), out var row)) popularity[row]++;
        return new ContentRanker(ratings, items, rowOf, vectors, popularity, options.WeightByRating);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Recommend(int user, int count)
    {
        var scores = new double[_items.Length];
        ScoreCatalogue(user, scores);
        return TopItems.Select(_items, scores, new HashSet<int>(_table.RatedBy(user)), count);
    }

    /// <inheritdoc />
    public void Score(int user, ReadOnlySpan<int> items, Span<double> scores)
    {
        ItemScores.CheckLengths(items, scores);
        var all = new double[this._items.Length];
        ScoreCatalogue(user, all);
        for (var n = 0; n < items.Length; n++) scores[n] = _rowOf.TryGetValue(items[n], out var row) ? all[row] : double.NaN;
    }

    /// <summary>
    /// The <paramref name="count"/> items whose descriptions are closest to <paramref name="item"/>'s, best first,
    /// without the item itself: "more like this", which needs no ratings at all.
    /// </summary>
    /// <exception cref="ArgumentException">The item is not in the catalogue.</exception>
    public IReadOnlyList<int> SimilarItems(int item, int count)
    {
        if (!_rowOf.TryGetValue(item, out var row)) throw new ArgumentException($"ContentRanker.SimilarItems: item {item} is not in the catalogue.", nameof(item));
        var similarities = Cosine.Similarities(_vectors, _vectors.Row(row));
        return TopItems.Select(_items, similarities, new HashSet<int> { item }, count);
    }

    private void ScoreCatalogue(int user, Span<double> scores)
    {
        var profile = Profile(_table.UserIndex(user));
        double length = 0;
        foreach (var v in profile) length += v * v;
        if (length <= 0)
        {
            _popularity.CopyTo(scores);
            return;
        }
        length = Math.Sqrt(length);
        for (var r = 0; r < _items.Length; r++) scores[r] = _norms[r] > 0 ? _vectors.Row(r).Dot(profile) / (_norms[r] * length) : 0;
    }

    /// <summary>Σ (r_ui − r̄_u) v_i over the user's rated items; the plain sum when every rating equals the mean or ratings are not weighed.</summary>
    private double[] Profile(int u)
    {
        var profile = new double[_vectors.Columns];
        if (u < 0) return profile;
        int start = _table.UserStart[u], end = _table.UserStart[u + 1];
        double mean = 0;
        for (var r = start; r < end; r++) mean += _table.ByUserValue[r];
        mean /= end - start;
        var spread = false;
        for (var r = start; _weightByRating && r < end; r++) spread |= Math.Abs(_table.ByUserValue[r] - mean) > 1e-9;
        for (var r = start; r < end; r++)
        {
            if (!_rowOf.TryGetValue(_table.ItemId(_table.ByUserItem[r]), out var row)) continue;
            var weight = spread ? _table.ByUserValue[r] - mean : 1;
            var vector = _vectors.Row(row);
            for (var p = 0; p < vector.Count; p++) profile[vector.Indices[p]] += weight * vector.Values[p];
        }
        return profile;
    }
}
