using SmartCrm.Analytics.Clustering;

namespace SmartCrm.Analytics.Tests.Clustering;

public sealed class FeatureScalingTests
{
    [Fact]
    public void Z_scores_use_the_mean_and_the_population_deviation()
    {
        // Column 1, 2, 3: mean 2, population deviation √(2/3).
        var points = new double[,] { { 1, 10 }, { 2, 20 }, { 3, 60 } };

        var scaling = FeatureScaling.ZScore(points);
        var scaled = scaling.Apply(points);

        scaling.Offsets[0].ShouldBe(2);
        scaling.Factors[0].ShouldBe(Math.Sqrt(2.0 / 3), tolerance: 1e-12);
        scaled[0, 0].ShouldBe(-1 / Math.Sqrt(2.0 / 3), tolerance: 1e-12);
        scaled[2, 0].ShouldBe(1 / Math.Sqrt(2.0 / 3), tolerance: 1e-12);
        for (var j = 0; j < 2; j++)
        {
            var column = Enumerable.Range(0, 3).Select(i => scaled[i, j]).ToArray();
            column.Average().ShouldBe(0, tolerance: 1e-12);
            column.Select(v => v * v).Average().ShouldBe(1, tolerance: 1e-12);
        }
    }

    [Fact]
    public void A_constant_feature_becomes_zeros_not_NaN()
    {
        var points = new double[,] { { 4, 1 }, { 4, 2 } };

        var zScores = FeatureScaling.ZScore(points).Apply(points);
        var minMax = FeatureScaling.MinMax(points).Apply(points);

        zScores[0, 0].ShouldBe(0);
        zScores[1, 0].ShouldBe(0);
        minMax[0, 0].ShouldBe(0);
        minMax[1, 0].ShouldBe(0);
    }

    [Fact]
    public void Min_max_maps_the_fitted_range_onto_zero_to_one()
    {
        var points = new double[,] { { -2 }, { 0 }, { 6 } };

        var scaling = FeatureScaling.MinMax(points);

        scaling.Apply(points).Cast<double>().ShouldBe([0, 0.25, 1]);
        scaling.Apply(new double[,] { { 10 } })[0, 0].ShouldBe(1.5);
    }

    [Fact]
    public void Applying_to_another_number_of_features_is_rejected()
    {
        var scaling = FeatureScaling.ZScore(new double[,] { { 1, 2 }, { 3, 4 } });

        Should.Throw<ArgumentException>(() => scaling.Apply(new double[,] { { 1, 2, 3 } })).Message.ShouldContain("fitted on 2");
    }

    [Fact]
    public void Values_that_are_not_finite_are_rejected()
    {
        Should.Throw<ArgumentException>(() => FeatureScaling.ZScore(new double[,] { { 1 }, { double.NaN } })).Message.ShouldContain("Point 1, feature 0");
        Should.Throw<ArgumentException>(() => FeatureScaling.MinMax(new double[,] { { double.PositiveInfinity } }));
    }

    [Fact]
    public void No_points_are_rejected()
    {
        Should.Throw<ArgumentException>(() => FeatureScaling.ZScore(new double[0, 2]));
    }
}
