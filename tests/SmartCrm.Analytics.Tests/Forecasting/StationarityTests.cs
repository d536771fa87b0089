using SmartCrm.Analytics.Forecasting;
using SmartCrm.Analytics.Tests.Evaluation;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class StationarityTests
{
    // Expected: statsmodels kpss(x, regression='c', nlags=⌊3√n/13⌋) — the same statistic as urca's ur.kpss.
    [Fact]
    public void Kpss_statistic_matches_statsmodels()
    {
        Stationarity.KpssStatistic(Series.Arma11).ShouldBe(0.1843055321509086, 1e-10);
        Stationarity.KpssStatistic(Series.Drifting).ShouldBe(2.367173273997562, 1e-10);
    }

    [Fact]
    public void Kpss_p_value_interpolates_urca_table()
    {
        Stationarity.KpssPValue(0.2).ShouldBe(0.10);
        Stationarity.KpssPValue(0.463).ShouldBe(0.05, 1e-12);
        Stationarity.KpssPValue((0.463 + 0.574) / 2).ShouldBe(0.0375, 1e-12);
        Stationarity.KpssPValue(3).ShouldBe(0.01);
    }

    [Fact]
    public void Random_walk_needs_one_difference_and_noise_none()
    {
        var noise = Series.SimulateArma(200, [], [], seed: 2);
        var walk = Series.Integrate(noise);
        var doubleWalk = Series.Integrate(walk);

        Stationarity.NonSeasonalDifferences(noise).ShouldBe(0);
        Stationarity.NonSeasonalDifferences(walk).ShouldBe(1);
        Stationarity.NonSeasonalDifferences(doubleWalk).ShouldBe(2);
    }

    // Expected: statsmodels STL(period=4, seasonal=11, trend=7, low_pass=5, seasonal_deg=0, seasonal_jump=2), two inner
    // iterations, no robustness — R's stl(x, s.window = 11) defaults.
    [Fact]
    public void Stl_matches_the_reference_port()
    {
        var parts = Stl.Decompose(Series.Quarterly, 4, 11);

        double[] seasonal = [1.87464718, -4.86720542, 5.50380812, -2.51349478, 1.86903688, -4.87785537, 5.55112615, -2.54427642];
        for (var i = 0; i < seasonal.Length; i++) parts.Seasonal[i].ShouldBe(seasonal[i], 1e-6);
        parts.Trend[0].ShouldBe(23.46673453, 1e-6);
        parts.Trend[20].ShouldBe(23.42067217, 1e-6);
        parts.Trend[47].ShouldBe(21.60354665, 1e-6);
        for (var i = 0; i < Series.Quarterly.Length; i++)
            (parts.Trend[i] + parts.Seasonal[i] + parts.Remainder[i]).ShouldBe(Series.Quarterly[i], 1e-9);
    }

    [Fact]
    public void Strong_seasonality_gets_one_seasonal_difference_and_noise_none()
    {
        var random = new Random(4);
        var seasonal = Enumerable.Range(0, 120).Select(t => 10 * Math.Sin(2 * Math.PI * t / 12) + Series.Gaussian(random)).ToArray();
        var noise = Enumerable.Range(0, 120).Select(_ => Series.Gaussian(random)).ToArray();

        Stationarity.SeasonalStrength(seasonal, 12).ShouldBeGreaterThan(0.9);
        Stationarity.SeasonalDifferences(seasonal, 12).ShouldBe(1);
        Stationarity.SeasonalStrength(noise, 12).ShouldBeLessThan(0.64);
        Stationarity.SeasonalDifferences(noise, 12).ShouldBe(0);
    }

    [DataFact(Series.AirPassengersFile)]
    public void Air_passengers_needs_a_seasonal_and_a_first_difference()
    {
        var logAir = Series.LogAirPassengers();

        Stationarity.SeasonalDifferences(logAir, 12).ShouldBe(1);
        Stationarity.NonSeasonalDifferences(ArmaPolynomials.DifferenceOnce(logAir, 12)).ShouldBe(1);
    }

    [Fact]
    public void Stl_refuses_less_than_two_periods()
    {
        Should.Throw<ArgumentException>(() => Stl.Decompose(Series.Quarterly.AsSpan(0, 8), 4)).ParamName.ShouldBe("series");
    }
}
