using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class SeasonalNaiveTests
{
    [Fact]
    public void Repeats_the_last_season_and_widens_once_per_season()
    {
        var forecast = SeasonalNaive.Forecast(Series.Quarterly, 4, 10);

        for (var h = 0; h < 10; h++) forecast.Mean[h].ShouldBe(Series.Quarterly[Series.Quarterly.Length - 4 + h % 4]);
        var width = forecast.Upper.Zip(forecast.Lower, (u, l) => u - l).ToArray();
        width[3].ShouldBe(width[0], 1e-9);
        width[4].ShouldBe(width[0] * Math.Sqrt(2), 1e-9);
        width[8].ShouldBe(width[0] * Math.Sqrt(3), 1e-9);
    }

    [Fact]
    public void Needs_more_than_one_season()
    {
        Should.Throw<ArgumentException>(() => SeasonalNaive.Forecast([1.0, 2, 3, 4], 4, 2)).ParamName.ShouldBe("series");
    }
}
