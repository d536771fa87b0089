namespace SmartCrm.Analytics.Forecasting;

/// <summary>The three parts of a seasonal decomposition: series = trend + seasonal + remainder.</summary>
/// <param name="Trend">Smooth trend-cycle.</param>
/// <param name="Seasonal">Repeating seasonal component.</param>
/// <param name="Remainder">What is left.</param>
public sealed record SeasonalDecomposition(double[] Trend, double[] Seasonal, double[] Remainder);

/// <summary>
/// STL, seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae &amp; Terpenning 1990), a port of the
/// non-robust path of R's stl (the same Fortran statsmodels ports), with R's default windows, degrees and jumps.
/// </summary>
public static class Stl
{
    /// <summary>
    /// Decomposes <paramref name="series"/> with period <paramref name="period"/> and seasonal smoothing window
    /// <paramref name="seasonalWindow"/> (odd; 11 is what forecast::mstl uses first), two inner passes, no robustness
    /// iterations: R's <c>stl(x, s.window)</c> with every other argument left at its default.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two full periods, or non-finite values.</exception>
    public static SeasonalDecomposition Decompose(ReadOnlySpan<double> series, int period, int seasonalWindow = 11)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), period, "STL needs a seasonal period of at least 2.");
        if (series.Length <= 2 * period)
            throw new ArgumentException($"STL needs more than two full periods: {series.Length} values for period {period}.", nameof(series));
        var ns = Odd(Math.Max(3, seasonalWindow));
        var nt = Odd(Math.Max(3, (int)Math.Ceiling(1.5 * period / (1 - 1.5 / ns))));
        var nl = Odd(Math.Max(3, period));
        var n = series.Length;
        var y = series.ToArray();
        var trend = new double[n];
        var season = new double[n];
        Inner(y, period, ns, nt, nl, sDegree: 0, tDegree: 1, lDegree: 1,
            sJump: (int)Math.Ceiling(ns / 10.0), tJump: (int)Math.Ceiling(nt / 10.0), lJump: (int)Math.Ceiling(nl / 10.0),
            passes: 2, season, trend);
        var remainder = new double[n];
        for (var i = 0; i < n; i++) remainder[i] = y[i] - season[i] - trend[i];
        return new SeasonalDecomposition(trend, season, remainder);
    }

    private static int Odd(int value) => value % 2 == 0 ? value + 1 : value;

    private static void Inner(double[] y, int np, int ns, int nt, int nl, int sDegree, int tDegree, int lDegree,
        int sJump, int tJump, int lJump, int passes, double[] season, double[] trend)
    {
        var n = y.Length;
        var detrended = new double[n];
        var cycle = new double[n + 2 * np];
        var lowPass = new double[n + 2 * np];
        var smoothedLowPass = new double[n];
        var work = new double[n + 2 * np];
        for (var pass = 0; pass < passes; pass++)
        {
            for (var i = 0; i < n; i++) detrended[i] = y[i] - trend[i];
            CycleSubseries(detrended, np, ns, sDegree, sJump, cycle);
            LowPass(cycle, n + 2 * np, np, lowPass, work);
            Loess(lowPass.AsSpan(0, n), nl, lDegree, lJump, smoothedLowPass, work);
            for (var i = 0; i < n; i++) season[i] = cycle[np + i] - smoothedLowPass[i];
            for (var i = 0; i < n; i++) detrended[i] = y[i] - season[i];
            Loess(detrended, nt, tDegree, tJump, trend, work);
        }
    }

    /// <summary>Smooths each cycle-subseries and extends it by one value at each end (stlss).</summary>
    private static void CycleSubseries(double[] y, int np, int ns, int degree, int jump, double[] cycle)
    {
        var n = y.Length;
        var sub = new double[n / np + 1];
        var smoothed = new double[n / np + 3];
        var work = new double[n / np + 3];
        for (var j = 0; j < np; j++)
        {
            var k = (n - j - 1) / np + 1;
            for (var i = 0; i < k; i++) sub[i] = y[i * np + j];
            var body = smoothed.AsSpan(1, k);
            Loess(sub.AsSpan(0, k), ns, degree, jump, body, work);
            var nright = Math.Min(ns, k);
            smoothed[0] = Estimate(sub.AsSpan(0, k), ns, degree, 0, 1, nright, work, out var value) ? value : smoothed[1];
            var nleft = Math.Max(1, k - ns + 1);
            smoothed[k + 1] = Estimate(sub.AsSpan(0, k), ns, degree, k + 1, nleft, k, work, out value) ? value : smoothed[k];
            for (var m = 0; m < k + 2; m++) cycle[m * np + j] = smoothed[m];
        }
    }

    /// <summary>Moving averages of length np, np and 3 (stlfts): the result is n − 2np + 2·... = n values shorter by 2np.</summary>
    private static void LowPass(double[] x, int length, int np, double[] result, double[] work)
    {
        MovingAverage(x, length, np, result);
        MovingAverage(result, length - np + 1, np, work);
        MovingAverage(work, length - 2 * np + 2, 3, result);
    }

    private static void MovingAverage(double[] x, int n, int len, double[] average)
    {
        var outputs = n - len + 1;
        double sum = 0;
        for (var i = 0; i < len; i++) sum += x[i];
        average[0] = sum / len;
        for (var j = 1; j < outputs; j++)
        {
            sum = sum - x[j - 1] + x[len + j - 1];
            average[j] = sum / len;
        }
    }

    /// <summary>Loess smoothing evaluated every <paramref name="jump"/> points and linearly interpolated between (stless).</summary>
    private static void Loess(ReadOnlySpan<double> y, int len, int degree, int jump, Span<double> ys, Span<double> work)
    {
        var n = y.Length;
        if (n < 2)
        {
            ys[0] = y[0];
            return;
        }
        var newJump = Math.Min(jump, n - 1);
        int nleft = 0, nright = 0;
        if (len >= n)
        {
            nleft = 1;
            nright = n;
            for (var i = 1; i <= n; i += newJump)
                ys[i - 1] = Estimate(y, len, degree, i, nleft, nright, work, out var value) ? value : y[i - 1];
        }
        else if (newJump == 1)
        {
            var half = (len + 1) / 2;
            nleft = 1;
            nright = len;
            for (var i = 1; i <= n; i++)
            {
                if (i > half && nright != n)
                {
                    nleft++;
                    nright++;
                }
                ys[i - 1] = Estimate(y, len, degree, i, nleft, nright, work, out var value) ? value : y[i - 1];
            }
        }
        else
        {
            var half = (len + 1) / 2;
            for (var i = 1; i <= n; i += newJump)
            {
                if (i < half)
                {
                    nleft = 1;
                    nright = len;
                }
                else if (i >= n - half + 1)
                {
                    nleft = n - len + 1;
                    nright = n;
                }
                else
                {
                    nleft = i - half + 1;
                    nright = len + i - half;
                }
                ys[i - 1] = Estimate(y, len, degree, i, nleft, nright, work, out var value) ? value : y[i - 1];
            }
        }
        if (newJump == 1) return;
        for (var i = 1; i <= n - newJump; i += newJump)
        {
            var slope = (ys[i + newJump - 1] - ys[i - 1]) / newJump;
            for (var j = i + 1; j <= i + newJump - 1; j++) ys[j - 1] = ys[i - 1] + slope * (j - i);
        }
        var k = (n - 1) / newJump * newJump + 1;
        if (k == n) return;
        ys[n - 1] = Estimate(y, len, degree, n, nleft, nright, work, out var last) ? last : y[n - 1];
        if (k == n - 1) return;
        var step = (ys[n - 1] - ys[k - 1]) / (n - k);
        for (var j = k + 1; j <= n - 1; j++) ys[j - 1] = ys[k - 1] + step * (j - k);
    }

    /// <summary>Tricube-weighted local constant or linear fit at <paramref name="xs"/> over points nleft..nright (1-based; stlest).</summary>
    private static bool Estimate(ReadOnlySpan<double> y, int len, int degree, double xs, int nleft, int nright, Span<double> w, out double ys)
    {
        var n = y.Length;
        var range = n - 1.0;
        var h = Math.Max(xs - nleft, nright - xs);
        if (len > n) h += (len - n) / 2;
        var h9 = 0.999 * h;
        var h1 = 0.001 * h;
        double a = 0;
        for (var j = nleft; j <= nright; j++)
        {
            w[j - 1] = 0;
            var r = Math.Abs(j - xs);
            if (r <= h9)
            {
                if (r <= h1) w[j - 1] = 1;
                else
                {
                    var ratio = r / h;
                    var cube = 1 - ratio * ratio * ratio;
                    w[j - 1] = cube * cube * cube;
                }
                a += w[j - 1];
            }
        }
        ys = 0;
        if (a <= 0) return false;
        for (var j = nleft; j <= nright; j++) w[j - 1] /= a;
        if (h > 0 && degree > 0)
        {
            a = 0;
            for (var j = nleft; j <= nright; j++) a += w[j - 1] * j;
            var b = xs - a;
            double c = 0;
            for (var j = nleft; j <= nright; j++) c += w[j - 1] * (j - a) * (j - a);
            if (Math.Sqrt(c) > 0.001 * range)
            {
                b /= c;
                for (var j = nleft; j <= nright; j++) w[j - 1] *= b * (j - a) + 1;
            }
        }
        for (var j = nleft; j <= nright; j++) ys += w[j - 1] * y[j - 1];
        return true;
    }
}
