using SmartCrm.Analytics.Clustering;

namespace SmartCrm.Analytics.Tests.Clustering;

public sealed class ClusterCountTests
{
    [Fact]
    public void Three_clear_blobs_choose_three_by_both_rules()
    {
        var points = KMeansTests.Blobs(240, 2, 3, seed: 12);

        var choice = ClusterCount.Choose(points, 2, 7, new KMeansOptions { Restarts = 3, Seed = 1 });

        choice.BySilhouette.ShouldBe(3);
        choice.ByElbow.ShouldBe(3);
        choice.Candidates.Select(c => c.Clusters).ShouldBe([2, 3, 4, 5, 6, 7]);
        choice.Candidates.ShouldAllBe(c => c.Silhouette > -1 && c.Silhouette <= 1);
    }

    [Fact]
    public void The_elbow_is_the_point_farthest_above_the_chord()
    {
        // Scaled: k=3 → (0.2, 0.638), k=4 → (0.4, 0.957), k=5 → (0.6, 0.979); gaps 0.438, 0.557, 0.379.
        ClusterCountCandidate[] curve =
        [
            new(2, 100, 0), new(3, 40, 0), new(4, 10, 0), new(5, 8, 0), new(6, 7, 0), new(7, 6, 0),
        ];

        ClusterCount.Elbow(curve).ShouldBe(4);
    }

    [Fact]
    public void A_straight_inertia_line_has_no_elbow_beyond_the_first_k()
    {
        ClusterCountCandidate[] line = [new(2, 30, 0), new(3, 20, 0), new(4, 10, 0)];

        ClusterCount.Elbow(line).ShouldBe(2);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(4, 3)]
    [InlineData(2, 10)]
    public void A_bad_range_is_rejected(int min, int max)
    {
        Should.Throw<ArgumentException>(() => ClusterCount.Choose(KMeansTests.Column(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), min, max, new KMeansOptions()));
    }
}
