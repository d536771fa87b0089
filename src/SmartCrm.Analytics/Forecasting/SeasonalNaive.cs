namespace SmartCrm.Analytics.Forecasting;

/// <summary>The seasonal naive forecast: each future value repeats the value one season earlier (forecast::snaive).</summary>
public static class SeasonalNaive
{
    /// <summary>
    /// Forecasts <paramref name="horizon"/> steps: ŷ_{n+h} = y_{n+h−m(k+1)}, k = ⌊(h−1)/m⌋, with intervals from the
    /// root mean square of the in-sample seasonal differences growing as √(k+1).
    /// </summary>
    /// <exception cref="ArgumentException">Non-finite values, or no full season of history.</exception>
    public static Forecast Forecast(ReadOnlySpan<double> series, int period, int horizon, double level = 0.95)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "The seasonal period must be at least 1.");
        Forecasting.Forecast.CheckHorizon(horizon);
        var z = Forecasting.Forecast.Quantile(level);
        var n = series.Length;
        if (n <= period) throw new ArgumentException($"The seasonal naive forecast needs more than one season ({period}) of history, not {n} values.", nameof(series));
        double sumSquares = 0;
        for (var t = period; t < n; t++)
        {
            var e = series[t] - series[t - period];
            sumSquares += e * e;
        }
        var se = Math.Sqrt(sumSquares / (n - period));
        var mean = new double[horizon];
        var lower = new double[horizon];
        var upper = new double[horizon];
        for (var h = 1; h <= horizon; h++)
        {
            var cycles = (h - 1) / period;
            var value = series[n - period + (h - 1) % period];
            var spread = z * se * Math.Sqrt(cycles + 1);
            mean[h - 1] = value;
            lower[h - 1] = value - spread;
            upper[h - 1] = value + spread;
        }
        return new Forecast(mean, lower, upper, level);
    }
}
