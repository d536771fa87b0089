using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>The weight a validation run chose for a <see cref="BlendedRanker"/>, and the NDCG of every weight tried.</summary>
/// <param name="Weight">The share of the second model, in [0, 1].</param>
/// <param name="Ndcg">Mean NDCG at the cut-off on the held-out ratings, per weight tried, in the order tried.</param>
public sealed record BlendChoice(double Weight, IReadOnlyList<(double Weight, double Ndcg)> Ndcg);

/// <summary>
/// A hybrid of two rankers: for each user both models score every item the user has not rated, each model's
/// scores are rescaled to [0, 1] over those items (the models' scales differ: cosines, dot products, counts),
/// and the blend is (1 − w)·first + w·second. An item one model knows nothing about counts as that model's lowest
/// score, so a collaborative model blended with a content one still lets new items through.
/// </summary>
public sealed class BlendedRanker : IItemScorer
{
    private readonly RatingTable _table;
    private readonly IItemScorer _first;
    private readonly IItemScorer _second;
    private readonly int[] _catalogue;

    private BlendedRanker(RatingTable table, IItemScorer first, IItemScorer second, double weight, int[] catalogue)
    {
        this._table = table;
        this._first = first;
        this._second = second;
        this._catalogue = catalogue;
        Weight = weight;
    }

    /// <summary>The share of the second model.</summary>
    public double Weight { get; }

    /// <summary>Blends two fitted models.</summary>
    /// <param name="ratings">The ratings the models were fitted on: what each user has already seen.</param>
    /// <param name="first">The model given weight 1 − <paramref name="weight"/>.</param>
    /// <param name="second">The model given weight <paramref name="weight"/>.</param>
    /// <param name="weight">In [0, 1].</param>
    /// <param name="catalogue">The items to rank (caller ids); null ranks the items in <paramref name="ratings"/>.</param>
    /// <exception cref="ArgumentException">A weight outside [0, 1] or NaN, or an empty catalogue.</exception>
    public static BlendedRanker Create(RatingTable ratings, IItemScorer first, IItemScorer second, double weight, IReadOnlyList<int>? catalogue = null)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!(weight is >= 0 and <= 1)) throw new ArgumentException($"BlendedRanker: weight must be in [0, 1] (was {weight}).", nameof(weight));
        var items = catalogue is null ? [.. ratings.ItemIds] : catalogue.Distinct().ToArray();
        if (items.Length == 0) throw new ArgumentException("BlendedRanker: the catalogue is empty.", nameof(catalogue));
        return new BlendedRanker(ratings, first, second, weight, items);
    }

    /// <summary>
    /// Tries each weight of <paramref name="weights"/> (0, 0.05, …, 1 by default) on held-out ratings and keeps the
    /// one with the best mean NDCG at <paramref name="k"/> (the smaller weight on ties). Fit both models on the
    /// ratings without the held-out ones (see <see cref="RatingSplit.HoldOut"/>), never on the test set.
    /// </summary>
    /// <exception cref="ArgumentException">No held-out ratings, or a weight outside [0, 1].</exception>
    public static BlendChoice ChooseWeight(RatingTable ratings, IItemScorer first, IItemScorer second, IReadOnlyList<Rating> heldOut,
        IReadOnlyList<int>? catalogue = null, int k = 10, IReadOnlyList<double>? weights = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (heldOut.Count == 0) throw new ArgumentException("BlendedRanker.ChooseWeight: no held-out ratings.", nameof(heldOut));
        weights ??= [.. Enumerable.Range(0, 21).Select(w => w / 20.0)];
        if (weights.Count == 0) throw new ArgumentException("BlendedRanker.ChooseWeight: no weights to try.", nameof(weights));
        var blends = weights.Select(w => Create(ratings, first, second, w, catalogue)).ToArray();
        var relevant = new Dictionary<int, HashSet<int>>();
        foreach (var rating in heldOut)
        {
            if (!relevant.TryGetValue(rating.User, out var set)) relevant.Add(rating.User, set = []);
            set.Add(rating.Item);
        }
        var items = blends[0]._catalogue;
        var a = new double[items.Length];
        var b = new double[items.Length];
        var blended = new double[items.Length];
        var totals = new double[blends.Length];
        foreach (var (user, set) in relevant)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seen = new HashSet<int>(ratings.RatedBy(user));
            blends[0].ScaledParts(user, seen, a, b);
            for (var w = 0; w < blends.Length; w++)
            {
                Mix(a, b, blends[w].Weight, blended);
                totals[w] += Metrics.NdcgAtK(TopItems.Select(items, blended, seen, k), set, k);
            }
        }
        var curve = new (double Weight, double Ndcg)[blends.Length];
        var best = 0;
        for (var w = 0; w < blends.Length; w++)
        {
            curve[w] = (blends[w].Weight, totals[w] / relevant.Count);
            if (curve[w].Ndcg > curve[best].Ndcg) best = w;
        }
        return new BlendChoice(curve[best].Weight, curve);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Recommend(int user, int count)
    {
        var seen = new HashSet<int>(_table.RatedBy(user));
        return TopItems.Select(_catalogue, Blend(user, seen), seen, count);
    }

    /// <inheritdoc />
    public void Score(int user, ReadOnlySpan<int> items, Span<double> scores)
    {
        ItemScores.CheckLengths(items, scores);
        var blended = Blend(user, new HashSet<int>(_table.RatedBy(user)));
        var position = new Dictionary<int, int>(_catalogue.Length);
        for (var n = 0; n < _catalogue.Length; n++) position[_catalogue[n]] = n;
        for (var n = 0; n < items.Length; n++) scores[n] = position.TryGetValue(items[n], out var at) ? blended[at] : double.NaN;
    }

    private double[] Blend(int user, HashSet<int> seen)
    {
        var a = new double[_catalogue.Length];
        var b = new double[_catalogue.Length];
        ScaledParts(user, seen, a, b);
        Mix(a, b, Weight, a);
        return a;
    }

    private void ScaledParts(int user, HashSet<int> seen, double[] a, double[] b)
    {
        _first.Score(user, _catalogue, a);
        _second.Score(user, _catalogue, b);
        Rescale(a, _catalogue, seen);
        Rescale(b, _catalogue, seen);
    }

    private static void Mix(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double weight, Span<double> result)
    {
        for (var n = 0; n < a.Length; n++) result[n] = weight == 0 ? a[n] : weight == 1 ? b[n] : (1 - weight) * a[n] + weight * b[n];
    }

    /// <summary>Maps the scores of unseen items onto [0, 1]; unknown items (NaN) and a constant score become 0.</summary>
    private static void Rescale(Span<double> scores, ReadOnlySpan<int> items, HashSet<int> seen)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (var n = 0; n < scores.Length; n++)
        {
            if (double.IsNaN(scores[n]) || seen.Contains(items[n])) continue;
            low = Math.Min(low, scores[n]);
            high = Math.Max(high, scores[n]);
        }
        var range = high - low;
        for (var n = 0; n < scores.Length; n++)
            scores[n] = double.IsNaN(scores[n]) || !(range > 0) ? 0 : (scores[n] - low) / range;
    }
}
