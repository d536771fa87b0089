using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Analytics.Tests.Classification;

public class RandomForestTests
{
    [Fact]
    public void Averages_trees_grown_on_bootstrap_samples()
    {
        var (x, y, _) = Fixtures.Synthetic();

        var forest = RandomForest.Fit(x, y, new RandomForestOptions { Trees = 50, Seed = 1 });

        forest.TreeCount.ShouldBe(50);
        var training = Metrics.Accuracy<int>(y, forest.Predict(x));
        training.ShouldBeGreaterThan(0.9);
        foreach (var probe in Fixtures.Probes)
        {
            var p = forest.PredictProbabilities(probe);
            p.Sum().ShouldBe(1, 1e-12);
            // A mean of 50 leaf frequencies: not forced to 0 or 1 the way one deep tree's leaves are.
            var e = forest.Explain(probe);
            (e.Baseline + e.Contributions.Sum(c => c.Contribution)).ShouldBe(p[1], 1e-9);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_forest_in_parallel_or_not()
    {
        var (x, y, _) = Fixtures.Synthetic();

        var serial = RandomForest.Fit(x, y, new RandomForestOptions { Trees = 20, Seed = 4 });
        var parallel = RandomForest.Fit(x, y, new RandomForestOptions { Trees = 20, Seed = 4, Parallelism = 2 });
        var other = RandomForest.Fit(x, y, new RandomForestOptions { Trees = 20, Seed = 5 });

        Fixtures.Probes.Select(p => parallel.PredictProbabilities(p)[1]).ShouldBe(Fixtures.Probes.Select(p => serial.PredictProbabilities(p)[1]));
        Fixtures.Probes.Any(p => other.PredictProbabilities(p)[1] != serial.PredictProbabilities(p)[1]).ShouldBeTrue();
    }
}
