using SmartCrm.Analytics.Evaluation;
using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Forecasts;

/// <summary>
/// Forecasts a weekly series with the library's automatic selections, ARIMA (Hyndman–Khandakar) and ETS (by AICc), or the
/// naive forecast when neither does better. Their likelihoods are not comparable, so the family is chosen on the weeks just
/// before the holdout; the chosen one is then refitted without the holdout and measured on it (so the holdout never chose
/// anything), and fitted once more on the whole history for the forecast itself. One year of weekly data holds no second
/// season, so the seasonal-naive baseline is the plain naive one (period 1).
/// </summary>
public static class AutomaticForecast
{
    public const string Naive = "naive";

    // A training forecasts hundreds of series (a device each) on a shared server: candidates are compared by conditional sum
    // of squares and the winner refitted by maximum likelihood, as auto.arima itself does for long series, which keeps a
    // series to a fraction of a second; weekly counts seldom need more than three AR or MA terms.
    private static readonly AutoArimaOptions Search = new() { Approximation = true, MaxP = 3, MaxQ = 3 };

    public static SeriesForecast Fit(double[] series, int holdout, int horizon, double level, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length < 2) throw new ArgumentException("A forecast needs at least two weeks of history.", nameof(series));
        string method;
        double? smape = null, mase = null, naiveSmape = null, naiveMase = null;
        if (series.Length >= 2 * holdout + 8)
        {
            var choose = series[..^(2 * holdout)];
            var check = series[^(2 * holdout)..^holdout];
            method = Naive;
            var best = Mae(check, Predict(Naive, choose, holdout, level, cancellationToken).Mean);
            foreach (var family in new[] { "arima", "ets" })
            {
                var forecast = TryPredict(family, choose, holdout, level, cancellationToken);
                if (forecast is null) continue;
                var error = Mae(check, forecast.Mean);
                if (error < best) (method, best) = (family, error);
            }
            var train = series[..^holdout];
            var actual = series[^holdout..];
            var measured = TryPredict(method, train, holdout, level, cancellationToken) ?? Predict(Naive, train, holdout, level, cancellationToken);
            var naive = Predict(Naive, train, holdout, level, cancellationToken);
            var predicted = Clamp(measured.Mean);
            smape = Smape(actual, predicted);
            naiveSmape = Smape(actual, naive.Mean);
            if (Scale(train) > 0)
            {
                mase = Metrics.Mase(train, actual, predicted);
                naiveMase = Metrics.Mase(train, actual, naive.Mean);
            }
        }
        else
        {
            method = Naive;
        }
        var (name, final) = TryFinal(method, series, horizon, level, cancellationToken);
        var mean = Clamp(final.Mean);
        var lower = Clamp(final.Lower);
        var upper = Clamp(final.Upper);
        // Clamping at zero (no negative units, revenue or hours) can only move a bound onto the mean, never past it.
        for (var i = 0; i < mean.Length; i++) (lower[i], upper[i]) = (Math.Min(lower[i], mean[i]), Math.Max(upper[i], mean[i]));
        return new SeriesForecast(name, mean, lower, upper, level, smape, mase, naiveSmape, naiveMase);
    }

    /// <summary>sMAPE as a fraction from 0 to 2; a week where both are zero is a perfect forecast.</summary>
    public static double Smape(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var denominator = Math.Abs(actual[i]) + Math.Abs(predicted[i]);
            sum += denominator == 0 ? 0 : 2 * Math.Abs(actual[i] - predicted[i]) / denominator;
        }
        return sum / actual.Length;
    }

    private static (string Name, Forecast Forecast) TryFinal(string method, double[] series, int horizon, double level, CancellationToken cancellationToken)
    {
        if (method != Naive)
        {
            try
            {
                return method == "arima"
                    ? Named(AutoArima.Fit(series, 1, Search, cancellationToken), m => m.ToString(), m => m.Forecast(horizon, level))
                    : Named(Ets.Select(series, 1, cancellationToken: cancellationToken), m => m.ToString(), m => m.Forecast(horizon, level));
            }
            catch (ArgumentException)
            {
                // The whole history may defeat a family that fitted its first weeks (a series gone constant): fall back to naive.
            }
        }
        return (Naive, SeasonalNaive.Forecast(series, 1, horizon, level));
    }

    private static (string, Forecast) Named<T>(T model, Func<T, string> name, Func<T, Forecast> forecast) => (name(model), forecast(model));

    private static Forecast? TryPredict(string method, double[] series, int horizon, double level, CancellationToken cancellationToken)
    {
        try
        {
            return Predict(method, series, horizon, level, cancellationToken);
        }
        catch (ArgumentException)
        {
            // A constant stretch, or too few weeks for the family's parameters: the family sits this one out.
            return null;
        }
    }

    private static Forecast Predict(string method, double[] series, int horizon, double level, CancellationToken cancellationToken) => method switch
    {
        "arima" => AutoArima.Fit(series, 1, Search, cancellationToken).Forecast(horizon, level),
        "ets" => Ets.Select(series, 1, cancellationToken: cancellationToken).Forecast(horizon, level),
        _ => SeasonalNaive.Forecast(series, 1, horizon, level),
    };

    private static double Mae(double[] actual, double[] predicted) => Metrics.Mae(actual, Clamp(predicted));

    private static double Scale(double[] train)
    {
        double sum = 0;
        for (var i = 1; i < train.Length; i++) sum += Math.Abs(train[i] - train[i - 1]);
        return sum;
    }

    private static double[] Clamp(double[] values) => Array.ConvertAll(values, v => double.IsFinite(v) ? Math.Max(0, v) : 0);
}
