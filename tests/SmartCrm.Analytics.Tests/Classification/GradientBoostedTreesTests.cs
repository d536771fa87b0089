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
    public void Boosting_ignores_constant_columns_and_a_constant_matrix_predicts_the_base_rate()
    {
        var x = FeatureMatrix.FromRows([[5.0, 0], [5.0, 1], [5.0, 2], [5.0, 3]]);
        var constant = FeatureMatrix.FromRows([[5.0], [5.0], [5.0], [5.0]]);
        int[] y = [0, 0, 1, 1];

        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { Trees = 5, MaxDepth = 1 });
        var flat = GradientBoostedTrees.Fit(constant, [0, 1, 1, 1], new GradientBoostingOptions { Trees = 5 });

        model.FeatureImportances()[0].ShouldBe(0);
        flat.LogOdds([5.0]).ShouldBe(Math.Log(3), 1e-12);
        flat.Explain([5.0]).Contributions.ShouldBeEmpty();
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
