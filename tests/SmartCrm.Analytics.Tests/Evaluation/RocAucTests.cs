using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Analytics.Tests.Evaluation;

public class RocAucTests
{
    private static (bool[] Labels, double[] Scores) Sample(int seed, int n)
    {
        var random = new Random(seed);
        var labels = new bool[n];
        var scores = new double[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = i % 3 == 0 || random.NextDouble() < 0.3;
            scores[i] = Math.Round(random.NextDouble() * 10, 1) + (labels[i] ? 1.5 : 0);
        }
        labels[0] = true;
        labels[1] = false;
        return (labels, scores);
    }

    [Property(MaxTest = 50)]
    public bool A_perfect_ranking_scores_one(PositiveInt seed)
    {
        var (labels, _) = Sample(seed.Get, 30);
        var scores = labels.Select((l, i) => (l ? 100.0 : 0) + i % 7).ToArray();
        return Metrics.RocAuc(labels, scores) == 1.0;
    }

    [Property(MaxTest = 50)]
    public bool Strictly_increasing_transforms_leave_the_area_unchanged(PositiveInt seed)
    {
        var (labels, scores) = Sample(seed.Get, 40);
        var auc = Metrics.RocAuc(labels, scores);
        var squashed = scores.Select(s => 1 / (1 + Math.Exp(-s))).ToArray();
        var shifted = scores.Select(s => 3 * s - 7).ToArray();
        var cubed = scores.Select(s => s * s * s).ToArray();
        return Math.Abs(Metrics.RocAuc(labels, squashed) - auc) < 1e-12
            && Math.Abs(Metrics.RocAuc(labels, shifted) - auc) < 1e-12
            && Math.Abs(Metrics.RocAuc(labels, cubed) - auc) < 1e-12;
    }

    [Property(MaxTest = 50)]
    public bool Reversing_the_scores_gives_one_minus_the_area(PositiveInt seed)
    {
        var (labels, scores) = Sample(seed.Get, 40);
        return Math.Abs(Metrics.RocAuc(labels, scores.Select(s => -s).ToArray()) - (1 - Metrics.RocAuc(labels, scores))) < 1e-12;
    }

    [Fact]
    public void Ties_count_half_as_scikit_learn_does()
    {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75; with the middle pair tied it is 0.875.
        Metrics.RocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]).ShouldBe(0.75);
        Metrics.RocAuc([false, false, true, true], [0.1, 0.4, 0.4, 0.8]).ShouldBe(0.875);
    }

    [Fact]
    public void One_class_only_or_NaN_is_refused()
    {
        Should.Throw<ArgumentException>(() => Metrics.RocAuc([true, true], [0.1, 0.2])).Message.ShouldContain("both positive and negative");
        Should.Throw<ArgumentException>(() => Metrics.RocAuc([true, false], [double.NaN, 0.2])).Message.ShouldContain("NaN");
    }
}
