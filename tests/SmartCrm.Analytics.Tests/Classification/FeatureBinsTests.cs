using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Analytics.Tests.Classification;

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
