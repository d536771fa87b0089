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
