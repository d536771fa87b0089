namespace SmartCrm.Analytics.Forecasting;

/// <summary>
/// Likelihood, recursions and estimation behind <see cref="Ets"/>: a port of the error-correction recursions of
/// forecast's etscalc (state = level, trend, seasonal states newest first) with its parameter bounds.
/// </summary>
internal static class EtsEstimator
{
    private const double Tolerance = 1e-10;
    private const double Huge = 1e10;

    // forecast::ets "usual" bounds: α, β, γ in [1e-4, 0.9999], φ in [0.8, 0.98].
    private const double Lower = 1e-4;
    private const double Upper = 0.9999;
    private const double PhiLower = 0.8;
    private const double PhiUpper = 0.98;

    public static int ParameterCount(EtsForm form, int m)
    {
        var smoothing = 1 + (form.Trend != EtsTrend.None ? 1 : 0) + (form.Season != EtsSeason.None ? 1 : 0) + (form.Trend == EtsTrend.AdditiveDamped ? 1 : 0);
        var states = 1 + (form.Trend != EtsTrend.None ? 1 : 0) + (form.Season != EtsSeason.None ? m - 1 : 0);
        return smoothing + states;
    }

    public static EtsModel? Estimate(double[] y, int m, EtsForm form)
    {
        var n = y.Length;
        var np = ParameterCount(form, m);
        if (np >= n - 1) return null;
        if (form.Season != EtsSeason.None && n < 4) return null;
        var hasTrend = form.Trend != EtsTrend.None;
        var hasSeason = form.Season != EtsSeason.None;
        var damped = form.Trend == EtsTrend.AdditiveDamped;
        var states = InitialStates(y, m, form);

        // forecast::initparam.
        var alpha = Lower + 0.2 * (Upper - Lower) / m;
        var beta = Lower + 0.1 * (Math.Min(Upper, alpha) - Lower);
        var gamma = Lower + 0.05 * (Math.Min(Upper, 1 - alpha) - Lower);
        var phi = PhiLower + 0.99 * (PhiUpper - PhiLower);
        var start = new List<double> { alpha };
        var steps = new List<double> { 0.05 };
        if (hasTrend) { start.Add(beta); steps.Add(0.01); }
        if (hasSeason) { start.Add(gamma); steps.Add(0.01); }
        if (damped) { start.Add(phi); steps.Add(-0.05); }
        var scale = Spread(y);
        for (var i = 0; i < states.Length; i++)
        {
            start.Add(states[i]);
            var seasonalState = i >= (hasTrend ? 2 : 1);
            steps.Add(seasonalState && form.Season == EtsSeason.Multiplicative ? 0.05 : 0.1 * Math.Abs(states[i]) + 0.01 * scale);
        }
        var stateCount = states.Length;
        var full = new double[stateCount + (hasSeason ? 1 : 0)];

        double Objective(double[] x)
        {
            var k = 0;
            var a = x[k++];
            var b = hasTrend ? x[k++] : 0;
            var g = hasSeason ? x[k++] : 0;
            var p = damped ? x[k++] : 1;
            if (!WithinBounds(a, b, g, p, hasTrend, hasSeason, damped, m)) return double.PositiveInfinity;
            if (!Expand(x.AsSpan(k), full, form, m)) return double.PositiveInfinity;
            var lik = Run(y, m, form, a, b, g, p, full, out _);
            if (double.IsNaN(lik)) return double.PositiveInfinity;
            return Math.Max(lik, -1e10);
        }

        var best = Minimisers.NelderMead(Objective, [.. start], [.. steps]);
        if (!double.IsFinite(best.Value)) return null;
        var x = best.Point;
        var index = 0;
        alpha = x[index++];
        beta = hasTrend ? x[index++] : 0;
        gamma = hasSeason ? x[index++] : 0;
        phi = damped ? x[index++] : 1;
        var initial = new double[full.Length];
        Expand(x.AsSpan(index), initial, form, m);
        var final = (double[])initial.Clone();
        var likelihood = Run(y, m, form, alpha, beta, gamma, phi, final, out var sumSquares);
        return new EtsModel(form, m, alpha, beta, gamma, phi, initial, final, sumSquares, likelihood, n, np);
    }

    private static double Spread(double[] y)
    {
        double min = y[0], max = y[0];
        foreach (var v in y)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return max - min;
    }

    /// <summary>Adds the last seasonal state so the seasonal states sum to 0 (additive) or m (multiplicative).</summary>
    private static bool Expand(ReadOnlySpan<double> free, double[] full, EtsForm form, int m)
    {
        free.CopyTo(full);
        if (form.Season == EtsSeason.None) return true;
        var first = form.Trend != EtsTrend.None ? 2 : 1;
        double sum = 0;
        for (var i = first; i < free.Length; i++) sum += free[i];
        full[^1] = (form.Season == EtsSeason.Multiplicative ? m : 0) - sum;
        if (form.Season == EtsSeason.Multiplicative)
            for (var i = first; i < full.Length; i++) if (full[i] <= 0) return false;
        return true;
    }

    /// <summary>forecast::check.param with bounds = "both": the usual region intersected with the admissible one.</summary>
    private static bool WithinBounds(double alpha, double beta, double gamma, double phi, bool hasTrend, bool hasSeason, bool damped, int m)
    {
        if (alpha < Lower || alpha > Upper) return false;
        if (hasTrend && (beta < Lower || beta > alpha || beta > Upper)) return false;
        if (damped && (phi < PhiLower || phi > PhiUpper)) return false;
        if (hasSeason && (gamma < Lower || gamma > 1 - alpha || gamma > Upper)) return false;
        // Admissible region (Hyndman et al. 2008, ch. 10).
        if (phi < 0 || phi > 1 + 1e-8) return false;
        if (!hasSeason)
        {
            if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
            if (hasTrend && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))) return false;
            return true;
        }
        if (m <= 1) return true;
        if (gamma < Math.Max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha) return false;
        if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m)) return false;
        if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
        // Characteristic polynomial, lowest power first.
        var poly = new double[m + 2];
        poly[0] = phi * (1 - alpha - gamma);
        poly[1] = alpha + beta - alpha * phi + gamma - 1;
        for (var i = 2; i < m; i++) poly[i] = alpha + beta - alpha * phi;
        poly[m] = alpha + beta - phi;
        poly[m + 1] = 1;
        return RootsInsideUnitCircle(poly);
    }

    /// <summary>
    /// Schur–Cohn step-down test: true when every root of the polynomial (lowest power first, leading coefficient 1)
    /// lies inside the unit circle. O(m²), where finding the roots (forecast's polyroot) would cost an eigen-decomposition.
    /// </summary>
    internal static bool RootsInsideUnitCircle(ReadOnlySpan<double> lowestFirst)
    {
        var degree = lowestFirst.Length - 1;
        // a[i] is the coefficient of z^(degree − i): a[0] = 1.
        Span<double> a = degree < 128 ? stackalloc double[degree + 1] : new double[degree + 1];
        Span<double> next = degree < 128 ? stackalloc double[degree + 1] : new double[degree + 1];
        for (var i = 0; i <= degree; i++) a[i] = lowestFirst[degree - i];
        // Undamped models always have the root z = 1, which forecast's tolerance (|z| ≤ 1 + 1e-10) accepts: divide it out.
        double atOne = 0;
        foreach (var c in lowestFirst) atOne += c;
        if (Math.Abs(atOne) < 1e-9)
        {
            for (var i = 1; i < degree; i++) a[i] += a[i - 1];
            degree--;
        }
        for (var order = degree; order >= 1; order--)
        {
            var k = a[order];
            if (!(Math.Abs(k) < 1)) return false;
            var scale = 1 - k * k;
            for (var i = 1; i < order; i++) next[i] = (a[i] - k * a[order - i]) / scale;
            for (var i = 1; i < order; i++) a[i] = next[i];
        }
        return true;
    }

    /// <summary>Runs the recursions from <paramref name="state"/> (left at the final state); returns n log SSE (+ 2 Σ log|ŷ|).</summary>
    public static double Run(double[] y, int m, EtsForm form, double alpha, double beta, double gamma, double phi, double[] state, out double sumSquares)
    {
        // Same recursions as Update, with the seasonal states in a ring so that a step costs O(1), not O(m).
        sumSquares = 0;
        double sumLog = 0;
        var hasTrend = form.Trend != EtsTrend.None;
        var first = hasTrend ? 2 : 1;
        var seasons = form.Season == EtsSeason.None ? 0 : m;
        Span<double> ring = seasons <= 64 ? stackalloc double[Math.Max(seasons, 1)] : new double[seasons];
        // ring[(head + j) % m] holds state[first + j]; the oldest (j = m − 1) is the one used and replaced.
        for (var j = 0; j < seasons; j++) ring[j] = state[first + j];
        var head = 0;
        var level = state[0];
        var trend = hasTrend ? state[1] : 0;
        var betaOverAlpha = beta / alpha;
        foreach (var value in y)
        {
            var phib = hasTrend ? phi * trend : 0;
            var q = level + phib;
            var oldestIndex = seasons == 0 ? 0 : (head + seasons - 1) % seasons;
            var oldSeason = seasons == 0 ? 0 : ring[oldestIndex];
            var forecast = form.Season switch
            {
                EtsSeason.Additive => q + oldSeason,
                EtsSeason.Multiplicative => q * oldSeason,
                _ => q,
            };
            if (!double.IsFinite(forecast)) return double.NaN;
            var error = form.Error == EtsError.Additive ? value - forecast : (value - forecast) / forecast;
            sumSquares += error * error;
            sumLog += Math.Log(Math.Abs(forecast));
            var p = form.Season switch
            {
                EtsSeason.Additive => value - oldSeason,
                EtsSeason.Multiplicative => Math.Abs(oldSeason) < Tolerance ? Huge : value / oldSeason,
                _ => value,
            };
            var newLevel = q + alpha * (p - q);
            if (hasTrend) trend = phib + betaOverAlpha * (newLevel - level - phib);
            level = newLevel;
            if (seasons > 0)
            {
                var t = form.Season == EtsSeason.Additive ? value - q : Math.Abs(q) < Tolerance ? Huge : value / q;
                // The oldest slot becomes the newest.
                ring[oldestIndex] = oldSeason + gamma * (t - oldSeason);
                head = oldestIndex;
            }
        }
        state[0] = level;
        if (hasTrend) state[1] = trend;
        for (var j = 0; j < seasons; j++) state[first + j] = ring[(head + j) % seasons];
        var lik = y.Length * Math.Log(sumSquares);
        if (form.Error == EtsError.Multiplicative) lik += 2 * sumLog;
        return double.IsFinite(lik) ? lik : double.NaN;
    }

    public static double OneStep(EtsForm form, int m, double phi, ReadOnlySpan<double> state)
    {
        var level = state[0];
        var q = form.Trend == EtsTrend.None ? level : level + phi * state[1];
        var first = form.Trend == EtsTrend.None ? 1 : 2;
        return form.Season switch
        {
            EtsSeason.Additive => q + state[first + m - 1],
            EtsSeason.Multiplicative => q * state[first + m - 1],
            _ => q,
        };
    }

    public static void Update(EtsForm form, int m, double alpha, double beta, double gamma, double phi, Span<double> state, double y)
    {
        var hasTrend = form.Trend != EtsTrend.None;
        var first = hasTrend ? 2 : 1;
        var oldLevel = state[0];
        var phib = hasTrend ? phi * state[1] : 0;
        var q = oldLevel + phib;
        var oldSeason = form.Season == EtsSeason.None ? 0 : state[first + m - 1];
        var p = form.Season switch
        {
            EtsSeason.Additive => y - oldSeason,
            EtsSeason.Multiplicative => Math.Abs(oldSeason) < Tolerance ? Huge : y / oldSeason,
            _ => y,
        };
        var level = q + alpha * (p - q);
        state[0] = level;
        if (hasTrend) state[1] = phib + beta / alpha * (level - oldLevel - phib);
        if (form.Season == EtsSeason.None) return;
        var t = form.Season == EtsSeason.Additive ? y - q : Math.Abs(q) < Tolerance ? Huge : y / q;
        var newSeason = oldSeason + gamma * (t - oldSeason);
        for (var j = m - 1; j >= 1; j--) state[first + j] = state[first + j - 1];
        state[first] = newSeason;
    }

    public static void PointForecasts(EtsForm form, int m, double phi, ReadOnlySpan<double> state, Span<double> mean)
    {
        var level = state[0];
        var trend = form.Trend == EtsTrend.None ? 0 : state[1];
        var first = form.Trend == EtsTrend.None ? 1 : 2;
        var phiStar = phi;
        for (var i = 0; i < mean.Length; i++)
        {
            var value = form.Trend == EtsTrend.None ? level : level + phiStar * trend;
            if (form.Season != EtsSeason.None)
            {
                var j = m - 1 - i;
                while (j < 0) j += m;
                value = form.Season == EtsSeason.Additive ? value + state[first + j] : value * state[first + j];
            }
            mean[i] = value;
            phiStar += Math.Abs(phi - 1) < Tolerance ? 1 : Math.Pow(phi, i + 2);
        }
    }

    /// <summary>forecast::initstate: seasonal states from a classical decomposition, level and trend from a regression on the first values.</summary>
    private static double[] InitialStates(double[] y, int m, EtsForm form)
    {
        var n = y.Length;
        double[] seasonalSeries = [];
        double[] initialSeason = [];
        var adjusted = y;
        if (form.Season != EtsSeason.None)
        {
            var multiplicative = form.Season == EtsSeason.Multiplicative;
            seasonalSeries = n < 3 * m ? FourierSeasonal(y, m, multiplicative) : ClassicalSeasonal(y, m, multiplicative);
            initialSeason = new double[m - 1];
            for (var i = 0; i < m - 1; i++) initialSeason[i] = seasonalSeries[m - 1 - i];
            adjusted = new double[n];
            if (multiplicative)
            {
                for (var i = 0; i < initialSeason.Length; i++) initialSeason[i] = Math.Max(initialSeason[i], 1e-2);
                var sum = initialSeason.Sum();
                if (sum > m)
                {
                    var total = initialSeason.Sum(v => v + 1e-2);
                    for (var i = 0; i < initialSeason.Length; i++) initialSeason[i] /= total;
                }
                for (var t = 0; t < n; t++) adjusted[t] = y[t] / Math.Max(seasonalSeries[t], 1e-2);
            }
            else
            {
                for (var t = 0; t < n; t++) adjusted[t] = y[t] - seasonalSeries[t];
            }
        }
        var maxn = Math.Min(Math.Max(10, 2 * m), n);
        var states = new List<double>();
        if (form.Trend == EtsTrend.None)
        {
            states.Add(adjusted.Take(maxn).Average());
        }
        else
        {
            // Least-squares line through (1..maxn, adjusted).
            double sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (var t = 1; t <= maxn; t++)
            {
                sx += t;
                sy += adjusted[t - 1];
                sxx += (double)t * t;
                sxy += t * adjusted[t - 1];
            }
            var slope = (maxn * sxy - sx * sy) / (maxn * sxx - sx * sx);
            var intercept = (sy - slope * sx) / maxn;
            if (Math.Abs(intercept + slope) < 1e-8)
            {
                intercept *= 1 + 1e-3;
                slope *= 1 - 1e-3;
            }
            states.Add(intercept);
            states.Add(slope);
        }
        states.AddRange(initialSeason);
        return [.. states];
    }

    /// <summary>stats::decompose's seasonal series: centred moving-average trend, averaged seasonal figure, normalised.</summary>
    private static double[] ClassicalSeasonal(double[] y, int m, bool multiplicative)
    {
        var n = y.Length;
        var weights = new double[m % 2 == 0 ? m + 1 : m];
        if (m % 2 == 0)
        {
            for (var i = 0; i < weights.Length; i++) weights[i] = 1.0 / m;
            weights[0] = weights[^1] = 0.5 / m;
        }
        else
        {
            for (var i = 0; i < weights.Length; i++) weights[i] = 1.0 / m;
        }
        var half = (weights.Length - 1) / 2;
        var figure = new double[m];
        var counts = new int[m];
        for (var t = half; t < n - half; t++)
        {
            double trend = 0;
            for (var j = 0; j < weights.Length; j++) trend += weights[j] * y[t - half + j];
            var detrended = multiplicative ? y[t] / trend : y[t] - trend;
            figure[t % m] += detrended;
            counts[t % m]++;
        }
        for (var i = 0; i < m; i++) figure[i] /= counts[i];
        var mean = figure.Average();
        for (var i = 0; i < m; i++) figure[i] = multiplicative ? figure[i] / mean : figure[i] - mean;
        var seasonal = new double[n];
        for (var t = 0; t < n; t++) seasonal[t] = figure[t % m];
        return seasonal;
    }

    /// <summary>For short series: regression on a line and one Fourier pair, as forecast::initstate does below three seasons.</summary>
    private static double[] FourierSeasonal(double[] y, int m, bool multiplicative)
    {
        var n = y.Length;
        var columns = new List<Func<int, double>> { _ => 1, t => t };
        if (m > 2) columns.Add(t => Math.Sin(2 * Math.PI * t / m));
        columns.Add(t => Math.Cos(2 * Math.PI * t / m));
        var k = columns.Count;
        var a = new double[k, k];
        var b = new double[k];
        for (var t = 1; t <= n; t++)
        {
            for (var i = 0; i < k; i++)
            {
                var xi = columns[i](t);
                b[i] += xi * y[t - 1];
                for (var j = 0; j < k; j++) a[i, j] += xi * columns[j](t);
            }
        }
        if (!Cholesky.TrySolve(a, b)) b = new double[k];
        var seasonal = new double[n];
        for (var t = 1; t <= n; t++)
        {
            var line = b[0] + b[1] * t;
            seasonal[t - 1] = multiplicative ? y[t - 1] / line : y[t - 1] - line;
        }
        return seasonal;
    }
}
