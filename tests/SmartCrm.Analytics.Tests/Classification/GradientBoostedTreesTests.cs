using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Analytics.Tests.Classification;

public class GradientBoostedTreesTests
{
    private static (FeatureMatrix X, int[] Y) Checkerboard(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new double[n][];
        var y = new int[n];
        for (var i = 0; i < n; i++)
        {
            rows[i] = [random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1, random.NextDouble()];
            y[i] = rows[i][0] * rows[i][1] > 0 ? 1 : 0;
        }
        return (FeatureMatrix.FromRows(rows), y);
    }

    [Fact]
    public void Learns_an_interaction_no_single_split_can_show()
    {
        var (x, y) = Checkerboard(600, 1);
        var (test, truth) = Checkerboard(300, 2);

        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { MaxDepth = 2, Trees = 60, LearningRate = 0.3 });

        var accuracy = Metrics.Accuracy<int>(truth, model.Predict(test));
        accuracy.ShouldBeGreaterThan(0.95);
        var importances = model.FeatureImportances();
        (importances[0] + importances[1]).ShouldBeGreaterThan(0.9);
    }

    [Fact]
    public void Starts_from_the_log_odds_of_the_training_share()
    {
        var (x, y) = Checkerboard(200, 3);

        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { Trees = 1 });

        var share = y.Average();
        model.Baseline.ShouldBe(Math.Log(share / (1 - share)), 1e-12);
    }

    [Fact]
    public void Contributions_add_up_to_the_log_odds()
    {
        var (x, y) = Checkerboard(300, 4);
        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { Subsample = 0.7, Seed = 3 });

        for (var r = 0; r < 20; r++)
        {
            var e = model.Explain(x.Row(r));

            e.Prediction.ShouldBe(model.LogOdds(x.Row(r)), 1e-9);
            (e.Baseline + e.Contributions.Sum(c => c.Contribution)).ShouldBe(e.Prediction, 1e-9);
            var negative = model.Explain(x.Row(r), 0);
            negative.Prediction.ShouldBe(-e.Prediction, 1e-12);
        }
    }

    [Fact]
    public void Trees_never_use_a_feature_that_carries_no_signal_more_than_noise_allows()
    {
        var (x, y) = Checkerboard(400, 5);
        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { MaxDepth = 2 });

        var e = model.Explain(x.Row(0));

        e.Contributions[0].Feature.ShouldBeOneOf(0, 1);
    }

    [Fact]
    public void Categorical_codes_split_natively_into_sets()
    {
        // Positive categories 0, 3 and 5 are scattered among the codes: one stump per round must find the set.
        var random = new Random(7);
        var rows = new double[300][];
        var y = new int[300];
        for (var i = 0; i < rows.Length; i++)
        {
            var code = random.Next(8);
            rows[i] = [code];
            y[i] = code is 0 or 3 or 5 ? 1 : 0;
        }
        var x = FeatureMatrix.FromRows(rows, [FeatureKind.Categorical]);

        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { MaxDepth = 1, Trees = 20, CategorySmoothing = 1 });

        for (var c = 0; c < 8; c++) model.Predict([c]).ShouldBe(c is 0 or 3 or 5 ? 1 : 0);
    }

    [Fact]
    public void Many_distinct_values_are_binned_without_losing_a_clear_threshold()
    {
        var rows = Enumerable.Range(0, 2000).Select(i => new[] { i * 0.01 }).ToArray();
        var y = rows.Select(r => r[0] > 13.37 ? 1 : 0).ToArray();

        var model = GradientBoostedTrees.Fit(FeatureMatrix.FromRows(rows), y, new GradientBoostingOptions { MaxDepth = 1, Trees = 30, LearningRate = 0.5 });

        model.Predict([5.0]).ShouldBe(0);
        model.Predict([19.0]).ShouldBe(1);
        Enumerable.Range(0, 2000).Count(i => model.Predict(rows[i]) != y[i]).ShouldBeLessThanOrEqualTo(2000 / 255 + 1);
    }

    [Fact]
    public void Same_seed_same_model_other_seed_other_subsample()
    {
        var (x, y) = Checkerboard(300, 6);
        var options = new GradientBoostingOptions { Subsample = 0.5, Seed = 11, Trees = 10 };

        var a = GradientBoostedTrees.Fit(x, y, options);
        var b = GradientBoostedTrees.Fit(x, y, options);
        var c = GradientBoostedTrees.Fit(x, y, options with { Seed = 12 });

        a.LogOdds(x.Row(0)).ShouldBe(b.LogOdds(x.Row(0)));
        Enumerable.Range(0, 50).Any(r => a.LogOdds(x.Row(r)) != c.LogOdds(x.Row(r))).ShouldBeTrue();
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        var x = FeatureMatrix.FromRows([[0.0], [1.0], [2.0]]);

        Should.Throw<ArgumentException>(() => GradientBoostedTrees.Fit(x, [1, 1, 1])).Message.ShouldContain("both classes");
        Should.Throw<ArgumentException>(() => GradientBoostedTrees.Fit(x, [0, 1, 2])).Message.ShouldContain("0 or 1");
        Should.Throw<ArgumentException>(() => GradientBoostedTrees.Fit(x, [0, 1, 1], new GradientBoostingOptions { Subsample = 0 })).Message.ShouldContain("Subsample");
        Should.Throw<ArgumentException>(() => GradientBoostedTrees.Fit(x, [0, 1, 1], new GradientBoostingOptions { MaxBins = 256 })).Message.ShouldContain("MaxBins");
        var model = GradientBoostedTrees.Fit(x, [0, 1, 1]);
        Should.Throw<ArgumentException>(() => model.LogOdds([double.NegativeInfinity])).Message.ShouldContain("GradientBoostedTrees");
    }
}

public class FeatureBinsTests
{
    [Fact]
    public void A_bin_at_most_b_is_the_same_test_as_a_value_at_most_the_bins_edge()
    {
        var random = new Random(1);
        var values = Enumerable.Range(0, 1000).Select(_ => Math.Round(random.NextDouble() * 100, 1)).ToArray();
        var x = new FeatureMatrix(values, values.Length, 1);

        var bins = new FeatureBins(x, 32);
        var binned = bins.Bin(x)[0];

        bins.Counts[0].ShouldBeLessThanOrEqualTo(32);
        for (var i = 0; i < values.Length; i++)
            for (var b = 0; b < bins.Thresholds[0].Length; b++)
                (binned[i] <= b).ShouldBe(values[i] <= bins.Thresholds[0][b]);
    }

    [Fact]
    public void Few_distinct_values_each_get_their_own_bin()
    {
        var x = new FeatureMatrix([3, 1, 2, 1, 3], 5, 1);

        var bins = new FeatureBins(x, 255);

        bins.Thresholds[0].ShouldBe([1.5, 2.5]);
        bins.Bin(x)[0].ShouldBe(new byte[] { 2, 0, 1, 0, 2 });
    }
}

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
