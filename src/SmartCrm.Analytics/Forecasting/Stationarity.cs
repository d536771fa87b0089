namespace SmartCrm.Analytics.Forecasting;

/// <summary>
/// How many differences a series needs, decided as forecast::ndiffs and forecast::nsdiffs do: the KPSS test for
/// first differences and the seasonal-strength heuristic (STL) for seasonal differences.
/// </summary>
public static class Stationarity
{
    // urca's KPSS critical values for a level-stationary null at 10 %, 5 %, 2.5 % and 1 %.
    private static readonly double[] KpssCritical = [0.347, 0.463, 0.574, 0.739];
    private static readonly double[] KpssLevels = [0.10, 0.05, 0.025, 0.01];

    /// <summary>
    /// The KPSS statistic for level stationarity (Kwiatkowski et al. 1992) with a Bartlett long-run variance over
    /// <paramref name="lags"/> lags (urca::ur.kpss, type "mu"). By default the short lag ⌊3√n / 13⌋ that ndiffs uses.
    /// </summary>
    public static double KpssStatistic(ReadOnlySpan<double> series, int? lags = null)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        var n = series.Length;
        if (n < 3) throw new ArgumentException($"The KPSS test needs at least 3 values, not {n}.", nameof(series));
        var lag = lags ?? (int)Math.Truncate(3 * Math.Sqrt(n) / 13);
        if (lag < 0 || lag >= n) throw new ArgumentOutOfRangeException(nameof(lags), lag, "The number of lags must lie in [0, n).");
        double mean = 0;
        foreach (var v in series) mean += v;
        mean /= n;
        double partial = 0, sumSquares = 0, eta = 0;
        for (var t = 0; t < n; t++)
        {
            var e = series[t] - mean;
            partial += e;
            eta += partial * partial;
            sumSquares += e * e;
        }
        eta /= (double)n * n;
        var longRun = sumSquares / n;
        for (var i = 1; i <= lag; i++)
        {
            double cross = 0;
            for (var t = i; t < n; t++) cross += (series[t] - mean) * (series[t - i] - mean);
            longRun += 2.0 / n * (1 - i / (lag + 1.0)) * cross;
        }
        return eta / longRun;
    }

    /// <summary>p-value of a KPSS statistic interpolated in urca's table and clamped to [0.01, 0.10], as ndiffs reads it.</summary>
    public static double KpssPValue(double statistic)
    {
        if (statistic <= KpssCritical[0]) return KpssLevels[0];
        if (statistic >= KpssCritical[^1]) return KpssLevels[^1];
        var i = 1;
        while (statistic > KpssCritical[i]) i++;
        var fraction = (statistic - KpssCritical[i - 1]) / (KpssCritical[i] - KpssCritical[i - 1]);
        return KpssLevels[i - 1] + fraction * (KpssLevels[i] - KpssLevels[i - 1]);
    }

    /// <summary>
    /// Number of first differences (0..<paramref name="maxDifferences"/>) after which the KPSS test no longer rejects
    /// level stationarity at <paramref name="alpha"/> (forecast::ndiffs with test = "kpss").
    /// </summary>
    public static int NonSeasonalDifferences(ReadOnlySpan<double> series, double alpha = 0.05, int maxDifferences = 2)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        alpha = Math.Clamp(alpha, 0.01, 0.1);
        var x = series.ToArray();
        if (SeriesInput.IsConstant(x)) return 0;
        var d = 0;
        var differenceMore = x.Length >= 3 && KpssPValue(KpssStatistic(x)) < alpha;
        while (differenceMore && d < maxDifferences)
        {
            d++;
            x = ArmaPolynomials.DifferenceOnce(x, 1);
            if (SeriesInput.IsConstant(x)) return d;
            // Too short to test: ndiffs' test errors there and it keeps the differences taken so far.
            if (x.Length < 3) return d;
            differenceMore = KpssPValue(KpssStatistic(x)) < alpha;
        }
        return d;
    }

    /// <summary>
    /// Strength of seasonality, max(0, 1 − Var(remainder) / Var(seasonal + remainder)) from an STL decomposition with
    /// seasonal window 11 (Wang, Smith &amp; Hyndman 2006, as forecast's seas.heuristic via mstl).
    /// </summary>
    public static double SeasonalStrength(ReadOnlySpan<double> series, int period)
    {
        var parts = Stl.Decompose(series, period, seasonalWindow: 11);
        var combined = new double[parts.Remainder.Length];
        for (var i = 0; i < combined.Length; i++) combined[i] = parts.Remainder[i] + parts.Seasonal[i];
        var denominator = SampleVariance(combined);
        if (denominator == 0) return 0;
        return Math.Clamp(1 - SampleVariance(parts.Remainder) / denominator, 0, 1);
    }

    /// <summary>
    /// Number of seasonal differences (0 or up to <paramref name="maxDifferences"/>): one more while the seasonal
    /// strength exceeds 0.64 (forecast::nsdiffs with its default test "seas"). Series of two periods or less get 0.
    /// </summary>
    public static int SeasonalDifferences(ReadOnlySpan<double> series, int period, int maxDifferences = 1)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), period, "Seasonal differencing needs a period of at least 2.");
        var x = series.ToArray();
        if (SeriesInput.IsConstant(x) || x.Length <= 2 * period) return 0;
        var d = 0;
        var differenceMore = SeasonalStrength(x, period) > 0.64;
        while (differenceMore && d < maxDifferences)
        {
            d++;
            x = ArmaPolynomials.DifferenceOnce(x, period);
            if (SeriesInput.IsConstant(x)) return d;
            differenceMore = x.Length > 2 * period && d < maxDifferences && SeasonalStrength(x, period) > 0.64;
        }
        return d;
    }

    private static double SampleVariance(ReadOnlySpan<double> x)
    {
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        double sum = 0;
        foreach (var v in x) sum += (v - mean) * (v - mean);
        return sum / (x.Length - 1);
    }
}
