using SmartCrm.Analytics.Forecasting;
using SmartCrm.Analytics.Tests.Evaluation;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class AutoArimaTests
{
    // R: auto.arima(log(AirPassengers)) → ARIMA(0,1,1)(0,1,1)[12], ma1 = −0.4018, sma1 = −0.5569, AIC = −483.4.
    [DataFact(Series.AirPassengersFile)]
    public void Picks_the_airline_model_on_log_air_passengers_as_auto_arima_does()
    {
        var selection = AutoArima.Search(Series.LogAirPassengers(), 12);

        selection.Model.Order.ShouldBe(new ArimaOrder(0, 1, 1, 0, 1, 1, 12));
        selection.Model.ConstantKind.ShouldBe(ArimaConstant.None);
        selection.Model.Ma[0].ShouldBe(-0.4018, 5e-4);
        selection.Model.SeasonalMa[0].ShouldBe(-0.5569, 5e-4);
        selection.Model.Aic.ShouldBe(-483.4, 0.05);
        selection.Approximation.ShouldBeFalse();
        // The search started where auto.arima starts: (2,d,2)(1,D,1), then the null, AR and MA models.
        selection.Candidates[0].Order.ShouldBe(new ArimaOrder(2, 1, 2, 1, 1, 1, 12));
        selection.Candidates[1].Order.ShouldBe(new ArimaOrder(0, 1, 0, 0, 1, 0, 12));
        selection.Candidates[2].Order.ShouldBe(new ArimaOrder(1, 1, 0, 1, 1, 0, 12));
        selection.Candidates[3].Order.ShouldBe(new ArimaOrder(0, 1, 1, 0, 1, 1, 12));
    }

    [Fact]
    public void Finds_an_ar2_with_its_mean()
    {
        var y = Series.SimulateArma(400, [0.6, -0.3], [], seed: 8).Select(v => v + 50).ToArray();

        var model = AutoArima.Fit(y);

        model.Order.D.ShouldBe(0);
        model.Order.P.ShouldBe(2);
        model.ConstantKind.ShouldBe(ArimaConstant.Mean);
        model.Constant.ShouldBe(50, 0.3);
    }

    [Fact]
    public void Random_walk_with_drift_gets_a_difference_and_a_drift()
    {
        var random = new Random(12);
        var y = Series.Integrate(Enumerable.Range(0, 200).Select(_ => 1 + Series.Gaussian(random)).ToArray());

        var model = AutoArima.Fit(y);

        model.Order.D.ShouldBe(1);
        model.ConstantKind.ShouldBe(ArimaConstant.Drift);
        model.Constant.ShouldBe(1, 0.2);
    }

    [Fact]
    public void Long_series_are_compared_by_css_and_refitted_by_likelihood()
    {
        var y = Series.SimulateArma(400, [0.5], [], seed: 31);

        var selection = AutoArima.Search(y);

        selection.Approximation.ShouldBeTrue();
        selection.Model.Estimation.ShouldBe(ArimaEstimation.MaximumLikelihood);
    }

    [Fact]
    public void Constant_series_is_refused()
    {
        Should.Throw<ArgumentException>(() => AutoArima.Fit(Enumerable.Repeat(7.0, 30).ToArray(), 12)).Message.ShouldContain("constant");
    }

    [Fact]
    public void Exact_line_is_refused_as_having_nothing_random()
    {
        var line = Enumerable.Range(0, 40).Select(t => 2.0 + 0.5 * t).ToArray();

        Should.Throw<ArgumentException>(() => AutoArima.Fit(line)).Message.ShouldContain("no random part");
    }

    [Fact]
    public void Non_finite_values_are_refused()
    {
        var y = (double[])Series.Arma11.Clone();
        y[3] = double.NaN;

        Should.Throw<ArgumentException>(() => AutoArima.Fit(y)).ParamName.ShouldBe("series");
    }

    [Fact]
    public void Very_short_series_still_get_a_model()
    {
        var model = AutoArima.Fit(Series.Arma11.AsSpan(0, 12));

        model.ShouldNotBeNull();
        model.Forecast(3).Mean.ShouldAllBe(v => double.IsFinite(v));
    }

    [Fact]
    public void Search_stops_when_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Should.Throw<OperationCanceledException>(() => AutoArima.Fit(Series.Quarterly, 4, cancellationToken: cancellation.Token));
        Should.Throw<OperationCanceledException>(() => Ets.Select(Series.Quarterly, 4, cancellationToken: cancellation.Token));
    }
}
