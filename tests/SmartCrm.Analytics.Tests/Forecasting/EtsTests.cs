using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class EtsTests
{
    [Fact]
    public void Simple_smoothing_forecast_is_flat_at_the_last_level()
    {
        var random = new Random(3);
        var level = 100.0;
        var y = new double[150];
        for (var t = 0; t < y.Length; t++)
        {
            level += 0.5 * Series.Gaussian(random);
            y[t] = level + Series.Gaussian(random);
        }

        var model = Ets.Fit(y, 1, new EtsForm(EtsError.Additive, EtsTrend.None, EtsSeason.None));
        var forecast = model.Forecast(5);

        model.Alpha.ShouldBeInRange(0.05, 0.9);
        forecast.Mean.Distinct().Count().ShouldBe(1);
        forecast.Mean[0].ShouldBe(y[^1], 3);
    }

    [Fact]
    public void Holt_winters_is_chosen_for_trending_seasonal_data_and_repeats_the_season()
    {
        var random = new Random(6);
        var y = Enumerable.Range(0, 96).Select(t => 50 + 0.4 * t + 8 * Math.Sin(2 * Math.PI * t / 12) + Series.Gaussian(random)).ToArray();

        var model = Ets.Select(y, 12);
        var forecast = model.Forecast(24);

        model.Form.Trend.ShouldNotBe(EtsTrend.None);
        model.Form.Season.ShouldNotBe(EtsSeason.None);
        // A year ahead is the same month a year later plus the trend.
        (forecast.Mean[12] - forecast.Mean[0]).ShouldBe(12 * 0.4, 1.5);
        for (var h = 0; h < 24; h++) forecast.Lower[h].ShouldBeLessThan(forecast.Upper[h]);
    }

    [Fact]
    public void Damped_trend_flattens_out()
    {
        var model = Ets.Fit(Series.Drifting, 1, new EtsForm(EtsError.Additive, EtsTrend.AdditiveDamped, EtsSeason.None));
        var forecast = model.Forecast(60);

        model.Phi.ShouldBeInRange(0.8, 0.98);
        var early = forecast.Mean[1] - forecast.Mean[0];
        var late = forecast.Mean[59] - forecast.Mean[58];
        Math.Abs(late).ShouldBeLessThan(Math.Abs(early));
    }

    [Fact]
    public void Multiplicative_forms_need_positive_data()
    {
        var y = Series.Arma11.Select(v => v - 10).ToArray();

        Should.Throw<ArgumentException>(() => Ets.Fit(y, 1, new EtsForm(EtsError.Multiplicative, EtsTrend.None, EtsSeason.None)));
        Ets.Select(y).Form.Error.ShouldBe(EtsError.Additive);
    }

    [Fact]
    public void Too_short_and_bad_input_are_refused()
    {
        Should.Throw<ArgumentException>(() => Ets.Fit(Series.Quarterly.AsSpan(0, 6), 4, new EtsForm(EtsError.Additive, EtsTrend.Additive, EtsSeason.Additive)))
            .Message.ShouldContain("too few");
        Should.Throw<ArgumentException>(() => Ets.Select(Enumerable.Repeat(4.0, 20).ToArray())).Message.ShouldContain("constant");
        Should.Throw<ArgumentException>(() => Ets.Select([1.0, double.PositiveInfinity, 2.0, 3.0])).ParamName.ShouldBe("series");
    }
}
