namespace SmartCrm.Analytics.Evaluation;

/// <summary>One train/test split of row indices.</summary>
/// <param name="Train">Indices of the rows to fit on.</param>
/// <param name="Test">Indices of the rows to score on.</param>
public sealed record Fold(int[] Train, int[] Test);

/// <summary>Cross-validation splits: plain and stratified k-fold, shuffled with a seed.</summary>
public static class Folds
{
    /// <summary>Shuffles <paramref name="rows"/> with <paramref name="seed"/> and cuts them into <paramref name="k"/> folds of near-equal size.</summary>
    public static IReadOnlyList<Fold> KFold(int rows, int k, int seed)
    {
        Check(rows, k);
        var order = Enumerable.Range(0, rows).ToArray();
        new Random(seed).Shuffle(order);
        var foldOf = new int[rows];
        for (var i = 0; i < rows; i++) foldOf[order[i]] = i % k;
        return Build(foldOf, k);
    }

    /// <summary>
    /// Stratified k-fold: each class is shuffled and dealt round-robin across the folds, so every fold keeps
    /// the class proportions of the whole set.
    /// </summary>
    public static IReadOnlyList<Fold> StratifiedKFold<TLabel>(IReadOnlyList<TLabel> labels, int k, int seed) where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(labels);
        Check(labels.Count, k);
        var random = new Random(seed);
        var foldOf = new int[labels.Count];
        var next = 0;
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            foreach (var row in members) foldOf[row] = next++ % k;
        }
        return Build(foldOf, k);
    }

    /// <summary>
    /// The folds scikit-learn's <c>StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)</c> makes, row for
    /// row: classes in order of first appearance, each class's fold numbers allotted as sklearn allots them and
    /// shuffled with numpy's Mersenne Twister. Use it to score a model on exactly the splits a Python peer used.
    /// </summary>
    public static IReadOnlyList<Fold> StratifiedKFoldAsScikitLearn<TLabel>(IReadOnlyList<TLabel> labels, int k, int seed) where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(labels);
        Check(labels.Count, k);
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        var classOf = new Dictionary<TLabel, int>();
        var encoded = new int[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            if (!classOf.TryGetValue(labels[i], out var c)) classOf[labels[i]] = c = classOf.Count;
            encoded[i] = c;
        }
        var classes = classOf.Count;
        var counts = new int[classes];
        foreach (var c in encoded) counts[c]++;
        // sklearn deals the sorted class codes round-robin to the folds: fold f gets y_order[f::k].
        var allocation = new int[k, classes];
        var position = 0;
        for (var c = 0; c < classes; c++)
            for (var j = 0; j < counts[c]; j++, position++) allocation[position % k, c]++;
        var random = new NumpyRandomState((uint)seed);
        var foldOf = new int[labels.Count];
        for (var c = 0; c < classes; c++)
        {
            var folds = new int[counts[c]];
            var at = 0;
            for (var f = 0; f < k; f++)
                for (var j = 0; j < allocation[f, c]; j++) folds[at++] = f;
            random.Shuffle<int>(folds);
            at = 0;
            for (var i = 0; i < encoded.Length; i++) if (encoded[i] == c) foldOf[i] = folds[at++];
        }
        return Build(foldOf, k);
    }

    private static void Check(int rows, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        if (rows < k) throw new ArgumentException($"Cannot cut {rows} rows into {k} folds.", nameof(rows));
    }

    private static Fold[] Build(int[] foldOf, int k)
    {
        var folds = new Fold[k];
        for (var f = 0; f < k; f++)
        {
            var test = new List<int>();
            var train = new List<int>();
            for (var i = 0; i < foldOf.Length; i++) (foldOf[i] == f ? test : train).Add(i);
            folds[f] = new Fold(train.ToArray(), test.ToArray());
        }
        return folds;
    }
}
