using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Analytics.Tests.Evaluation;

public class StratifiedFoldsTests
{
    private static readonly int[] Labels = [2, 0, 1, 1, 0, 0, 2, 1, 0, 0, 1, 2, 2, 0, 1, 0, 0, 1, 2, 0, 1, 1, 0];

    private static int[] TestFoldOf(IReadOnlyList<Fold> folds, int rows)
    {
        var foldOf = new int[rows];
        for (var f = 0; f < folds.Count; f++) foreach (var i in folds[f].Test) foldOf[i] = f;
        return foldOf;
    }

    [Theory]
    // Fold numbers printed by scikit-learn 1.2: StratifiedKFold(n_splits=3, shuffle=True, random_state=seed).split(X, Labels).
    [InlineData(1, new[] { 1, 0, 1, 0, 1, 1, 0, 2, 2, 0, 1, 2, 0, 2, 1, 0, 2, 0, 1, 1, 0, 2, 2 })]
    [InlineData(42, new[] { 0, 1, 0, 2, 2, 0, 2, 1, 2, 1, 0, 1, 0, 0, 1, 0, 2, 1, 1, 1, 0, 2, 2 })]
    public void Scikit_learn_folds_are_rebuilt_row_for_row(int seed, int[] expected)
    {
        var folds = Folds.StratifiedKFoldAsScikitLearn(Labels, 3, seed);

        TestFoldOf(folds, Labels.Length).ShouldBe(expected);
    }

    [Fact]
    public void Numpy_mersenne_twister_gives_numpys_first_draws()
    {
        // np.random.RandomState(1).randint(0, 2**32, size=3, dtype=np.uint64) gives the raw 32-bit outputs.
        var random = new NumpyRandomState(1);

        new[] { random.NextUInt32(), random.NextUInt32(), random.NextUInt32() }.ShouldBe([1791095845u, 4282876139u, 3093770124u]);
    }

    [Property(MaxTest = 60)]
    public bool Stratified_folds_keep_each_class_within_one_row_of_its_share(NonEmptyArray<bool> raw, PositiveInt seed)
    {
        var labels = raw.Get;
        if (labels.Length < 3) return true;
        foreach (var folds in new[] { Folds.StratifiedKFold(labels, 3, seed.Get), Folds.StratifiedKFoldAsScikitLearn(labels, 3, seed.Get) })
        {
            var positives = labels.Count(l => l);
            foreach (var fold in folds)
            {
                var share = (double)positives / labels.Length * fold.Test.Length;
                var inFold = fold.Test.Count(i => labels[i]);
                if (Math.Abs(inFold - share) > 1.0 + 1e-9) return false;
            }
            var all = folds.SelectMany(f => f.Test).Order().ToArray();
            if (!all.SequenceEqual(Enumerable.Range(0, labels.Length))) return false;
            if (folds.Any(f => f.Train.Length + f.Test.Length != labels.Length || f.Train.Intersect(f.Test).Any())) return false;
        }
        return true;
    }

    [Fact]
    public void Fewer_rows_than_folds_is_refused()
    {
        Should.Throw<ArgumentException>(() => Folds.StratifiedKFoldAsScikitLearn(new[] { 1, 0 }, 3, 1)).Message.ShouldContain("2 rows");
    }
}

public class StratifiedFoldsOnTelcoTests
{
    [DataFact("telco-churn/telco_churn.csv")]
    public void Telco_folds_match_the_ones_peers_py_scores_on()
    {
        var labels = File.ReadLines(DataSets.File("telco-churn/telco_churn.csv")).Skip(1).Select(line => line[(line.LastIndexOf(',') + 1)..] == "Yes").ToArray();

        var folds = Folds.StratifiedKFoldAsScikitLearn(labels, 5, 1);

        var foldOf = new int[labels.Length];
        for (var f = 0; f < folds.Count; f++) foreach (var i in folds[f].Test) foldOf[i] = f;
        // From scikit-learn: the first 60 fold numbers and Σ fold·row mod 1000003.
        string.Concat(foldOf.Take(60)).ShouldBe("410144210341230421341114042202404303241310122400220404323243");
        (foldOf.Select((f, i) => (long)f * i).Sum() % 1000003).ShouldBe(771936);
    }
}
