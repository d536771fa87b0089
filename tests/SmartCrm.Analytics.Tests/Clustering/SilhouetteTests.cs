using SmartCrm.Analytics.Clustering;

namespace SmartCrm.Analytics.Tests.Clustering;

public sealed class SilhouetteTests
{
    [Fact]
    public void Two_pairs_on_a_line_score_as_worked_by_hand()
    {
        // 0 and 1 against 10 and 11: a = 1 for every point; b is 10.5 for the outer points and 9.5 for the inner.
        var points = KMeansTests.Column(0, 1, 10, 11);
        int[] labels = [0, 0, 1, 1];

        var values = Silhouette.PointValues(points, labels);

        values.ShouldBe([9.5 / 10.5, 8.5 / 9.5, 8.5 / 9.5, 9.5 / 10.5], tolerance: 1e-12);
        Silhouette.Score(points, labels).ShouldBe((9.5 / 10.5 + 8.5 / 9.5) / 2, tolerance: 1e-12);
    }

    [Fact]
    public void A_point_alone_in_its_cluster_scores_zero()
    {
        // Point 2 is alone; points 0 and 1: a = 1, b = 4 and 3 → 3/4 and 2/3.
        var points = KMeansTests.Column(0, 1, 4);

        Silhouette.PointValues(points, [5, 5, 9]).ShouldBe([0.75, 2.0 / 3, 0], tolerance: 1e-12);
    }

    [Fact]
    public void Mixed_up_labels_score_below_zero()
    {
        var points = KMeansTests.Column(0, 1, 10, 11);

        Silhouette.Score(points, [0, 1, 0, 1]).ShouldBeLessThan(0);
    }

    [Fact]
    public void A_sample_as_large_as_the_data_is_the_exact_score()
    {
        var points = KMeansTests.Blobs(60, 2, 3, seed: 4);
        var labels = KMeans.Fit(points, new KMeansOptions { Clusters = 3 }).Labels;

        Silhouette.SampledScore(points, labels, 60, seed: 1).ShouldBe(Silhouette.Score(points, labels));
    }

    [Fact]
    public void A_sample_estimates_the_exact_score_and_repeats_with_its_seed()
    {
        var points = KMeansTests.Blobs(1200, 3, 4, seed: 6);
        var labels = KMeans.Fit(points, new KMeansOptions { Clusters = 4 }).Labels;

        var exact = Silhouette.Score(points, labels);
        var sampled = Silhouette.SampledScore(points, labels, 300, seed: 2);

        sampled.ShouldBe(exact, tolerance: 0.03);
        Silhouette.SampledScore(points, labels, 300, seed: 2).ShouldBe(sampled);
    }

    [Fact]
    public void One_cluster_is_rejected()
    {
        Should.Throw<ArgumentException>(() => Silhouette.Score(KMeansTests.Column(1, 2, 3), [0, 0, 0]))
            .Message.ShouldContain("between 2 and n − 1");
    }

    [Fact]
    public void One_cluster_per_point_is_rejected()
    {
        Should.Throw<ArgumentException>(() => Silhouette.Score(KMeansTests.Column(1, 2, 3), [0, 1, 2]));
    }

    [Fact]
    public void Labels_of_the_wrong_length_are_rejected()
    {
        Should.Throw<ArgumentException>(() => Silhouette.Score(KMeansTests.Column(1, 2, 3), [0, 1])).ParamName.ShouldBe("labels");
    }

    [Fact]
    public void Negative_labels_are_rejected()
    {
        Should.Throw<ArgumentException>(() => Silhouette.Score(KMeansTests.Column(1, 2, 3), [0, -1, 1])).Message.ShouldContain("negative");
    }

    [Fact]
    public void Points_that_are_not_finite_are_rejected()
    {
        Should.Throw<ArgumentException>(() => Silhouette.Score(KMeansTests.Column(1, double.NaN, 3), [0, 1, 1])).ParamName.ShouldBe("points");
    }
}
