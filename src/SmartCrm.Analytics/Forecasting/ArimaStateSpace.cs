using System.Numerics;

namespace SmartCrm.Analytics.Forecasting;

/// <summary>
/// Seasonal ARIMA in state-space form, as R's arima and statsmodels' SARIMAX (with differencing kept in the state):
/// the state is [ARMA state in Harvey's companion form (r = max(p', q'+1)); y_{t-1} … y_{t-d'}], the observation is
/// y_t = a_t[0] + Σ δ_k y_{t-k}. Initialisation is the exact diffuse one: the first d' = d + sD observations only fix
/// the differencing states (they carry no information on the ARMA part), so the filter starts at t = d' with those
/// states known and the ARMA block at its stationary covariance. The likelihood is then exactly that of the
/// differenced series, which is what R's and statsmodels' approximate-diffuse priors (κ = 10⁶) approach.
/// Everything is computed with unit innovation variance so that σ² can be concentrated out.
/// </summary>
internal sealed class ArimaStateSpace
{
    private readonly int _r;
    private readonly int _nd;
    private readonly int _m;
    private readonly double[] _delta;
    private readonly int[] _deltaLags;
    private readonly double[] _phi;
    private readonly double[] _theta;
    private readonly double[] _cov;
    private readonly double[] _scratch;
    private readonly double[] _gain;

    public ArimaStateSpace(ArimaOrder order)
    {
        _r = Math.Max(order.ExpandedAr, order.ExpandedMa + 1);
        _delta = ArmaPolynomials.Differencing(order.D, order.SeasonalD, order.Period);
        _nd = _delta.Length;
        _m = _r + _nd;
        var lags = new List<int>();
        for (var k = 0; k < _nd; k++) if (_delta[k] != 0) lags.Add(k);
        _deltaLags = [.. lags];
        _phi = new double[_r];
        _theta = new double[_r];
        _cov = new double[_m * _m];
        _scratch = new double[_m * _m + _m];
        _gain = new double[_m];
    }

    /// <summary>Number of state elements.</summary>
    public int StateLength => _m;

    /// <summary>Sets the expanded coefficients; returns false when the AR part has no stationary covariance.</summary>
    public bool SetCoefficients(ReadOnlySpan<double> phiFull, ReadOnlySpan<double> thetaFull)
    {
        Array.Clear(_phi);
        Array.Clear(_theta);
        phiFull.CopyTo(_phi);
        _theta[0] = 1;
        thetaFull.CopyTo(_theta.AsSpan(1));
        return StationaryCovariance(phiFull, thetaFull, _r, _cov, _m);
    }

    /// <summary>
    /// Fills the r×r ARMA block (row stride <paramref name="stride"/>) with Cov(a_t), a_t[i] = Σ_{j=1}^{r-i} (φ_{i+j} w_{t-j} + θ_{i+j-1} ε_{t-j+1}),
    /// from the autocovariances γ of the ARMA process and the cross-covariances E[w_t ε_{t-k}] = ψ_k: exact and O(r³).
    /// </summary>
    public static bool StationaryCovariance(ReadOnlySpan<double> phiFull, ReadOnlySpan<double> thetaFull, int r, Span<double> target, int stride)
    {
        var p = phiFull.Length;
        var q = thetaFull.Length;
        // Padded copies: ph[k] = φ_k, th[k] = θ_k with θ_0 = 1, zero beyond the orders.
        var ph = new double[r + 1];
        var th = new double[r + 1];
        phiFull.CopyTo(ph.AsSpan(1));
        th[0] = 1;
        thetaFull.CopyTo(th.AsSpan(1));
        // ψ weights up to r.
        var psi = new double[r + 1];
        psi[0] = 1;
        for (var k = 1; k <= r; k++)
        {
            var value = th[k];
            for (var i = 1; i <= Math.Min(k, p); i++) value += ph[i] * psi[k - i];
            psi[k] = value;
        }
        // c_k = Σ_{j=k}^{q} θ_j ψ_{j-k} (θ_0 = 1), the covariance of the MA side with w.
        double C(int k)
        {
            double sum = 0;
            for (var j = k; j <= q; j++) sum += th[j] * psi[j - k];
            return sum;
        }
        var gamma = new double[Math.Max(r, p + 1)];
        if (p == 0)
        {
            for (var k = 0; k < gamma.Length; k++) gamma[k] = C(k);
        }
        else
        {
            var size = p + 1;
            var a = new double[size, size];
            var b = new double[size];
            for (var k = 0; k < size; k++)
            {
                a[k, k] += 1;
                for (var i = 1; i <= p; i++) a[k, Math.Abs(k - i)] -= ph[i];
                b[k] = C(k);
            }
            if (!SolveInPlace(a, b)) return false;
            for (var k = 0; k < size; k++) gamma[k] = b[k];
            for (var k = size; k < gamma.Length; k++)
            {
                var value = C(k);
                for (var i = 1; i <= p; i++) value += ph[i] * gamma[k - i];
                gamma[k] = value;
            }
            if (!(gamma[0] > 0) || !double.IsFinite(gamma[0])) return false;
        }
        // Seasonal polynomials are mostly zeros: loop over the non-zero lags only.
        var arLags = new List<int>();
        var maLags = new List<int>();
        for (var k = 1; k <= r; k++) if (ph[k] != 0) arLags.Add(k);
        for (var k = 0; k <= r; k++) if (th[k] != 0) maLags.Add(k);
        // For each state element i, with A_i[j] = φ_{i+j} and B_i[j] = θ_{i+j-1} (j = 1..r-i):
        // G_i[l] = Σ_j A_i[j] γ(|j-l|) + Σ_j B_i[j] ψ_{j-1-l},  H_i[l] = Σ_j A_i[j] ψ_{l-1-j} + B_i[l],
        // and Cov(i,k) = Σ_l A_k[l] G_i[l] + B_k[l] H_i[l].
        var g = new double[r + 1];
        var h = new double[r + 1];
        for (var i = 0; i < r; i++)
        {
            var span = r - i;
            Array.Clear(g);
            Array.Clear(h);
            foreach (var lag in arLags)
            {
                var j = lag - i;
                if (j < 1 || j > span) continue;
                var a = ph[lag];
                for (var l = 1; l <= r; l++)
                {
                    g[l] += a * gamma[Math.Abs(j - l)];
                    if (l - 1 - j >= 0) h[l] += a * psi[l - 1 - j];
                }
            }
            foreach (var lag in maLags)
            {
                var j = lag - i + 1;
                if (j < 1 || j > span) continue;
                var b = th[lag];
                for (var l = 1; l <= j - 1; l++) g[l] += b * psi[j - 1 - l];
                h[j] += b;
            }
            for (var k = i; k < r; k++)
            {
                double sum = 0;
                foreach (var lag in arLags)
                {
                    var l = lag - k;
                    if (l >= 1) sum += ph[lag] * g[l];
                }
                foreach (var lag in maLags)
                {
                    var l = lag - k + 1;
                    if (l >= 1) sum += th[lag] * h[l];
                }
                target[i * stride + k] = sum;
                target[k * stride + i] = sum;
            }
        }
        return true;
    }

    private static bool SolveInPlace(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++) if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col])) pivot = row;
            if (Math.Abs(a[pivot, col]) < 1e-300) return false;
            if (pivot != col)
            {
                for (var k = 0; k < n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                (b[col], b[pivot]) = (b[pivot], b[col]);
            }
            for (var row = col + 1; row < n; row++)
            {
                var factor = a[row, col] / a[col, col];
                if (factor == 0) continue;
                for (var k = col; k < n; k++) a[row, k] -= factor * a[col, k];
                b[row] -= factor * b[col];
            }
        }
        for (var row = n - 1; row >= 0; row--)
        {
            var sum = b[row];
            for (var k = row + 1; k < n; k++) sum -= a[row, k] * b[k];
            b[row] = sum / a[row, row];
        }
        return true;
    }

    /// <summary>Initial state covariance: the stationary ARMA block; the differencing states are known.</summary>
    private void Initialise(Span<double> p)
    {
        p.Clear();
        for (var i = 0; i < _r; i++)
            for (var k = 0; k < _r; k++) p[i * _m + k] = _cov[i * _m + k];
    }

    /// <summary>
    /// Runs the filter over <paramref name="series"/> (index 0) and each regressor column at once — they share the
    /// gains — from t = d' on, and accumulates Σ log F_t and the cross-products of standardised innovations
    /// S[a,b] = Σ v_a v_b / F, from which regression coefficients and σ² are concentrated out.
    /// <paramref name="states"/> receives the one-step-ahead states after the last observation (series-major),
    /// <paramref name="covariance"/> the matching covariance; <paramref name="innovations"/> v_t/√F_t of the series, if given.
    /// </summary>
    public FilterSums Filter(ReadOnlySpan<double> series, IReadOnlyList<double[]> regressors, Span<double> states,
        Span<double> covariance, Span<double> innovations = default)
    {
        var n = series.Length;
        var k = regressors.Count + 1;
        var cross = new double[k * k];
        states.Clear();
        Initialise(covariance);
        for (var s = 0; s < k; s++)
        {
            var x = s == 0 ? series : regressors[s - 1];
            for (var j = 0; j < _nd; j++) states[s * _m + _r + j] = x[_nd - 1 - j];
        }
        double sumLog = 0;
        var count = 0;
        Span<double> v = stackalloc double[k];
        var previousGain = _scratch.AsSpan(0, _m);
        var previousF = double.NaN;
        var steady = false;
        double f = 0;
        for (var t = _nd; t < n; t++)
        {
            if (!steady)
            {
                // M = P Z', F = Z M (without differencing, M is P's first row: the fused step keeps the upper triangle).
                if (_nd == 0) covariance[.._m].CopyTo(_gain);
                else
                {
                    for (var i = 0; i < _m; i++)
                    {
                        var row = i * _m;
                        var sum = covariance[row];
                        foreach (var lag in _deltaLags) sum += _delta[lag] * covariance[row + _r + lag];
                        _gain[i] = sum;
                    }
                }
                f = _gain[0];
                foreach (var lag in _deltaLags) f += _delta[lag] * _gain[_r + lag];
                if (!(f > 0) || !double.IsFinite(f)) return FilterSums.Failed;
                // Once the gain stops changing the covariance recursion has converged (time-invariant model,
                // no missing values): it is skipped from then on, as statsmodels' filter does.
                steady = Math.Abs(f - previousF) <= SteadyTolerance * f && HasConverged(previousGain, f);
                previousF = f;
                _gain.CopyTo(previousGain);
            }
            for (var s = 0; s < k; s++)
            {
                var a = states.Slice(s * _m, _m);
                var observed = s == 0 ? series[t] : regressors[s - 1][t];
                var predicted = a[0];
                foreach (var lag in _deltaLags) predicted += _delta[lag] * a[_r + lag];
                var residual = observed - predicted;
                v[s] = residual;
                var scale = residual / f;
                for (var i = 0; i < _m; i++) a[i] += _gain[i] * scale;
                Transition(a);
            }
            if (!innovations.IsEmpty) innovations[t] = v[0] / Math.Sqrt(f);
            sumLog += Math.Log(f);
            count++;
            for (var s = 0; s < k; s++)
                for (var u = s; u < k; u++) cross[s * k + u] += v[s] * v[u] / f;
            if (steady) continue;
            if (_nd == 0)
            {
                UpdateAndPredictArma(covariance, f);
                continue;
            }
            // P ← P − M M' / F, then P ← T P T' + R R'.
            for (var i = 0; i < _m; i++)
            {
                var gi = _gain[i] / f;
                if (gi == 0) continue;
                var row = covariance.Slice(i * _m, _m);
                for (var j = 0; j < _m; j++) row[j] -= gi * _gain[j];
            }
            Predict(covariance, _scratch.AsSpan(_m));
        }
        if (_nd == 0) MirrorUpperTriangle(covariance);
        for (var s = 0; s < k; s++)
            for (var u = 0; u < s; u++) cross[s * k + u] = cross[u * k + s];
        return new FilterSums(sumLog, cross, k, count);
    }

    private const double SteadyTolerance = 1e-13;

    /// <summary>
    /// Update and prediction fused for a pure ARMA state (no differencing block): Z = e₁ and the gain is P's first
    /// row, so after the update the first state element is known exactly, every φ term of T P T' vanishes, and
    /// P⁺[i,j] = P[i+1,j+1] − P[0,i+1] P[0,j+1] / F + θᵢ θⱼ — one vectorised pass over the upper triangle, which is
    /// all this path keeps up to date (<see cref="Filter"/> mirrors it at the end).
    /// </summary>
    private void UpdateAndPredictArma(Span<double> p, double f)
    {
        var width = Vector<double>.Count;
        for (var i = 0; i < _m; i++)
        {
            var ti = _theta[i];
            var target = p.Slice(i * _m + i, _m - i);
            var length = _m - i - 1;
            if (length > 0)
            {
                var gi = _gain[i + 1] / f;
                var source = p.Slice((i + 1) * _m + i + 1, length);
                var g = _gain.AsSpan(i + 1, length);
                var th = _theta.AsSpan(i, length);
                var k = 0;
                if (length >= width)
                {
                    var vti = new Vector<double>(ti);
                    var vgi = new Vector<double>(gi);
                    for (; k <= length - width; k += width)
                    {
                        var value = vti * new Vector<double>(th[k..]) + new Vector<double>(source[k..]) - vgi * new Vector<double>(g[k..]);
                        value.CopyTo(target[k..]);
                    }
                }
                for (; k < length; k++) target[k] = ti * th[k] + source[k] - gi * g[k];
            }
            target[length] = ti * _theta[_m - 1];
        }
    }

    private bool HasConverged(ReadOnlySpan<double> previousGain, double f)
    {
        for (var i = 0; i < _m; i++)
            if (Math.Abs(_gain[i] - previousGain[i]) > SteadyTolerance * f) return false;
        return true;
    }

    private void MirrorUpperTriangle(Span<double> p)
    {
        for (var i = 1; i < _m; i++)
            for (var j = 0; j < i; j++) p[i * _m + j] = p[j * _m + i];
    }

    /// <summary>a ← T a.</summary>
    public void Transition(Span<double> a)
    {
        var first = a[0];
        var y = first;
        foreach (var lag in _deltaLags) y += _delta[lag] * a[_r + lag];
        for (var i = 0; i < _r - 1; i++) a[i] = _phi[i] * first + a[i + 1];
        a[_r - 1] = _phi[_r - 1] * first;
        for (var i = _m - 1; i > _r; i--) a[i] = a[i - 1];
        if (_nd > 0) a[_r] = y;
    }

    /// <summary>P ← T P T' + R R' (unit innovation variance), in O(m²) using the sparse transition.</summary>
    public void Predict(Span<double> p) => Predict(p, new double[_m * _m]);

    private void Predict(Span<double> p, Span<double> w)
    {
        // W = T P, row by row.
        for (var i = 0; i < _r; i++)
        {
            var target = w.Slice(i * _m, _m);
            var first = p[.._m];
            var coefficient = _phi[i];
            if (i + 1 < _r)
            {
                var next = p.Slice((i + 1) * _m, _m);
                for (var j = 0; j < _m; j++) target[j] = coefficient * first[j] + next[j];
            }
            else
            {
                for (var j = 0; j < _m; j++) target[j] = coefficient * first[j];
            }
        }
        if (_nd > 0)
        {
            var target = w.Slice(_r * _m, _m);
            p[.._m].CopyTo(target);
            foreach (var lag in _deltaLags)
            {
                var source = p.Slice((_r + lag) * _m, _m);
                var coefficient = _delta[lag];
                for (var j = 0; j < _m; j++) target[j] += coefficient * source[j];
            }
            for (var i = _r + 1; i < _m; i++) p.Slice((i - 1) * _m, _m).CopyTo(w.Slice(i * _m, _m));
        }
        // P = W T', i.e. each row of W transformed like a state vector.
        for (var i = 0; i < _m; i++)
        {
            var source = w.Slice(i * _m, _m);
            var target = p.Slice(i * _m, _m);
            var first = source[0];
            var y = first;
            foreach (var lag in _deltaLags) y += _delta[lag] * source[_r + lag];
            for (var j = 0; j < _r - 1; j++) target[j] = _phi[j] * first + source[j + 1];
            target[_r - 1] = _phi[_r - 1] * first;
            for (var j = _m - 1; j > _r; j--) target[j] = source[j - 1];
            if (_nd > 0) target[_r] = y;
        }
        for (var i = 0; i < _r; i++)
        {
            var ti = _theta[i];
            if (ti == 0) continue;
            for (var j = 0; j < _r; j++) p[i * _m + j] += ti * _theta[j];
        }
    }

    /// <summary>Forecast of the observation from a state, and its variance (unit σ²) from a covariance.</summary>
    public (double Mean, double Variance) Observe(ReadOnlySpan<double> a, ReadOnlySpan<double> p)
    {
        var mean = a[0];
        foreach (var lag in _deltaLags) mean += _delta[lag] * a[_r + lag];
        double variance = 0;
        for (var i = 0; i < _m; i++)
        {
            var zi = i == 0 ? 1 : i >= _r ? _delta[i - _r] : 0;
            if (zi == 0) continue;
            var row = p.Slice(i * _m, _m);
            var sum = row[0];
            foreach (var lag in _deltaLags) sum += _delta[lag] * row[_r + lag];
            variance += zi * sum;
        }
        return (mean, variance);
    }
}

/// <summary>What the Kalman filter accumulates for the concentrated likelihood.</summary>
internal readonly record struct FilterSums(double SumLogF, double[] Cross, int Series, int Count)
{
    public static FilterSums Failed { get; } = new(double.NaN, [], 0, 0);

    public bool Ok => double.IsFinite(SumLogF) && Count > 0;

    /// <summary>GLS regression coefficients and the concentrated σ²; false when the regressors are collinear.</summary>
    public bool Concentrate(out double[] beta, out double sigma2)
    {
        var k = Series - 1;
        beta = new double[k];
        var ssq = Cross[0];
        if (k > 0)
        {
            var a = new double[k, k];
            var b = new double[k];
            for (var i = 0; i < k; i++)
            {
                b[i] = Cross[(i + 1) * Series];
                for (var j = 0; j < k; j++) a[i, j] = Cross[(i + 1) * Series + j + 1];
            }
            if (!Cholesky.TrySolve(a, b)) { sigma2 = double.NaN; return false; }
            b.CopyTo(beta, 0);
            for (var i = 0; i < k; i++) ssq -= beta[i] * Cross[(i + 1) * Series];
        }
        sigma2 = Math.Max(ssq, 0) / Count;
        return sigma2 > 0 && double.IsFinite(sigma2);
    }

    /// <summary>Concentrated Gaussian log-likelihood at σ̂².</summary>
    public double LogLikelihood(double sigma2) => -0.5 * (Count * (Math.Log(2 * Math.PI * sigma2) + 1) + SumLogF);
}

/// <summary>Small symmetric positive-definite solves (normal equations of a few regressors).</summary>
internal static class Cholesky
{
    public static bool TrySolve(double[,] a, double[] b)
    {
        var n = b.Length;
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                if (i == j)
                {
                    if (!(sum > 1e-12 * Math.Max(1, Math.Abs(a[i, i])))) return false;
                    l[i, i] = Math.Sqrt(sum);
                }
                else l[i, j] = sum / l[j, j];
            }
        }
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++) sum -= l[i, k] * b[k];
            b[i] = sum / l[i, i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var k = i + 1; k < n; k++) sum -= l[k, i] * b[k];
            b[i] = sum / l[i, i];
        }
        return true;
    }
}
