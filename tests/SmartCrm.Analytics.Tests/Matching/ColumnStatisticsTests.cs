using SmartCrm.Analytics.Matching;

namespace SmartCrm.Analytics.Tests.Matching;

public sealed class ColumnStatisticsTests
{
    [Fact]
    public void Quantiles_interpolate_as_numpy_does()
    {
        double[] values = [1, 2, 3, 4];
        ColumnStatistics.Quantile(values, 0.25).ShouldBe(1.75);
        ColumnStatistics.Quantile(values, 0.5).ShouldBe(2.5);
        ColumnStatistics.Quantile(values, 1).ShouldBe(4);
    }

    [Fact]
    public void Iqr_fences_flag_an_impossible_age_and_keep_the_teenagers()
    {
        double[] ages = [.. Enumerable.Range(0, 100).Select(i => 14 + i % 6 + 0.5), 106.9];
        Array.Sort(ages);
        var fences = ColumnStatistics.Iqr(ages);
        fences.IsOutside(106.9).ShouldBeTrue();
        fences.IsOutside(16).ShouldBeFalse();
        fences.Clip(106.9).ShouldBe(fences.High);
    }

    [Fact]
    public void Robust_z_is_not_dragged_by_the_outlier_it_finds()
    {
        double[] values = [10, 11, 12, 13, 14, 1000];
        var fences = ColumnStatistics.RobustZ(values);
        fences.IsOutside(1000).ShouldBeTrue();
        fences.IsOutside(14).ShouldBeFalse();
        // Median 12.5, MAD 1.5: reach 3.5·1.5/0.6745.
        fences.High.ShouldBe(12.5 + 3.5 * 1.5 / 0.6745, 1e-9);
    }

    [Fact]
    public void Mean_deviation_and_mode()
    {
        var (mean, sd) = ColumnStatistics.MeanAndDeviation([2, 4, 4, 4, 5, 5, 7, 9]);
        mean.ShouldBe(5);
        sd.ShouldBe(Math.Sqrt(32.0 / 7), 1e-12);
        ColumnStatistics.Mode([3, 1, 3, 1, 2]).ShouldBe(1);
    }
}
