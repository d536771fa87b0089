namespace SmartCrm.Analytics.Forecasting;

/// <summary>
/// Fits one seasonal ARIMA model: conditional sum of squares for start values, then exact Gaussian maximum
/// likelihood through <see cref="ArimaStateSpace"/> with σ² and any mean/drift coefficient concentrated out, over
/// parameters that statsmodels' transforms keep stationary and invertible.
/// </summary>
internal sealed class ArimaEstimator
{
    // Free parameter of a partial autocorrelation of ±0.98.
    private const double SaturatedStart = 4.9;

    private readonly double[] _y;
    private readonly ArimaOrder _order;
    private readonly ArimaConstant _constant;
    private readonly double[][] _regressors;
    private readonly double[] _differenced;
    private readonly double[][] _differencedRegressors;
    private readonly ArimaStateSpace _likelihoodSpace;
    private readonly double[] _states;
    private readonly double[] _covariance;

    public ArimaEstimator(double[] series, ArimaOrder order, bool includeConstant)
    {
        _y = series;
        this._order = order;
        _constant = !includeConstant ? ArimaConstant.None : order.D + order.SeasonalD == 0 ? ArimaConstant.Mean : ArimaConstant.Drift;
        _regressors = _constant switch
        {
            ArimaConstant.Mean => [Enumerable.Repeat(1.0, _y.Length).ToArray()],
            ArimaConstant.Drift => [Enumerable.Range(1, _y.Length).Select(t => (double)t).ToArray()],
            _ => [],
        };
        _differenced = ArmaPolynomials.Difference(_y, order.D, order.SeasonalD, order.Period);
        _differencedRegressors = Array.ConvertAll(_regressors, x => ArmaPolynomials.Difference(x, order.D, order.SeasonalD, order.Period));
        // The exact likelihood is that of the differenced series, so it is filtered with the ARMA block alone.
        _likelihoodSpace = new ArimaStateSpace(order with { D = 0, SeasonalD = 0 });
        _states = new double[_likelihoodSpace.StateLength * (_regressors.Length + 1)];
        _covariance = new double[_likelihoodSpace.StateLength * _likelihoodSpace.StateLength];
    }

    /// <summary>Why this order cannot be fitted to a series of this length, or null when it can.</summary>
    public static string? Problem(int length, ArimaOrder order, bool includeConstant)
    {
        var differencing = order.D + order.SeasonalD;
        if (includeConstant && differencing > 1)
            return $"A constant is only defined with at most one difference (here d + D = {differencing}): a mean when there is none, a drift with one.";
        var parameters = order.ArmaCoefficients + (includeConstant ? 1 : 0) + 1;
        var usable = length - order.Differences - order.ExpandedAr;
        if (usable < parameters + 2)
            return $"The series has {length} values; {order} needs at least {order.Differences + order.ExpandedAr + parameters + 2} " +
                   $"({order.Differences} lost to differencing, {order.ExpandedAr} to conditioning, {parameters} parameters and two to spare).";
        return null;
    }

    /// <summary>True when the differenced series does not vary (R's is.constant), so there is nothing to model.</summary>
    public bool DifferencedIsConstant => SeriesInput.IsConstant(_differenced);

    /// <summary>
    /// Estimates the model. Returns null when the start values from CSS are non-stationary and
    /// <paramref name="rejectNonStationaryStart"/> is set (R's arima fails there, and auto.arima skips the model).
    /// </summary>
    public ArimaModel? Estimate(ArimaEstimation estimation, bool rejectNonStationaryStart)
    {
        var k = _order.ArmaCoefficients;
        var start = new double[k];
        var cssConverged = true;
        if (k > 0)
        {
            // Start values need not be precise: R's optim stops CSS at a relative change of 1.5e-8 too.
            var css = Minimisers.Bfgs(c => Math.Log(ConditionalSumOfSquares(c, out _)), start, maxIterations: 100,
                gradientTolerance: 1e-6, relativeTolerance: 1.5e-8, stationaryGradient: double.PositiveInfinity);
            if (double.IsFinite(css.Value)) start = css.Point;
            cssConverged = css.Converged;
        }
        var startStationary = IsStationaryStart(start);
        if (!startStationary && rejectNonStationaryStart) return null;
        if (estimation == ArimaEstimation.ConditionalSumOfSquares)
        {
            if (!startStationary) return null;
            var sigma2 = ConditionalSumOfSquares(start, out var beta);
            var n = _y.Length - _order.Differences;
            var logLik = -0.5 * n * (Math.Log(2 * Math.PI * sigma2) + 1);
            return new ArimaModel(this, _order, _constant, start, beta, sigma2, logLik, n, estimation, cssConverged);
        }
        if (!startStationary) Array.Clear(start);
        var free = new double[k];
        FromNatural(start, free);
        // Where the transform saturates its gradient vanishes, so a start on the boundary would never move.
        for (var i = 0; i < k; i++) free[i] = Math.Clamp(free[i], -SaturatedStart, SaturatedStart);
        var fit = Minimisers.Bfgs(NegativeLogLikelihood, free, relativeTolerance: 1e-10, stationaryGradient: 1e-5);
        if (Array.Exists(fit.Point, u => Math.Abs(u) > SaturatedStart))
        {
            // Ended on the stationarity/invertibility boundary: often a poor local optimum reached from CSS values.
            var fromZero = Minimisers.Bfgs(NegativeLogLikelihood, new double[k], relativeTolerance: 1e-10, stationaryGradient: 1e-5);
            if (fromZero.Value < fit.Value) fit = fromZero;
        }
        var coefficients = new double[k];
        ToNatural(fit.Point, coefficients);
        var sums = Evaluate(coefficients);
        if (!sums.Ok || !sums.Concentrate(out var b, out var s2)) return null;
        return new ArimaModel(this, _order, _constant, coefficients, b, s2, sums.LogLikelihood(s2), sums.Count, estimation, fit.Converged);
    }

    private bool IsStationaryStart(double[] c)
    {
        var (ar, _, sar, _) = Split(c);
        return (ar.Length == 0 || ArmaPolynomials.IsStationary(ar)) && (sar.Length == 0 || ArmaPolynomials.IsStationary(sar));
    }

    /// <summary>Copies of the four parts of the coefficient vector [ar | ma | seasonal ar | seasonal ma] (statsmodels' order).</summary>
    public (double[] Ar, double[] Ma, double[] SeasonalAr, double[] SeasonalMa) Split(double[] c)
    {
        var a = _order.P;
        var b = a + _order.Q;
        var s = b + _order.SeasonalP;
        return (c[..a], c[a..b], c[b..s], c[s..]);
    }

    private void Write(double[] c, double[] ar, double[] ma, double[] sar, double[] sma)
    {
        ar.CopyTo(c, 0);
        ma.CopyTo(c, _order.P);
        sar.CopyTo(c, _order.P + _order.Q);
        sma.CopyTo(c, _order.P + _order.Q + _order.SeasonalP);
    }

    public void ToNatural(ReadOnlySpan<double> free, Span<double> c)
    {
        var offset = 0;
        foreach (var (length, sign) in Groups())
        {
            ArmaPolynomials.Constrain(free.Slice(offset, length), c.Slice(offset, length));
            if (sign < 0) for (var i = offset; i < offset + length; i++) c[i] = -c[i];
            offset += length;
        }
    }

    private void FromNatural(double[] c, double[] free)
    {
        var (ar, ma, sar, sma) = Split(c);
        ArmaPolynomials.MakeInvertible(ma);
        ArmaPolynomials.MakeInvertible(sma);
        Write(c, ar, ma, sar, sma);
        var offset = 0;
        Span<double> negated = stackalloc double[c.Length];
        foreach (var (length, sign) in Groups())
        {
            for (var i = 0; i < length; i++) negated[i] = sign * c[offset + i];
            ArmaPolynomials.Unconstrain(negated[..length], free.AsSpan(offset, length));
            offset += length;
        }
    }

    private IEnumerable<(int Length, int Sign)> Groups()
    {
        yield return (_order.P, 1);
        yield return (_order.Q, -1);
        yield return (_order.SeasonalP, 1);
        yield return (_order.SeasonalQ, -1);
    }

    public (double[] Phi, double[] Theta) Expand(double[] c)
    {
        var (ar, ma, sar, sma) = Split(c);
        return (ArmaPolynomials.ExpandAr(ar, sar, _order.Period), ArmaPolynomials.ExpandMa(ma, sma, _order.Period));
    }

    /// <summary>Per-observation negative concentrated log-likelihood (up to constants) at free parameters.</summary>
    private double NegativeLogLikelihood(double[] free)
    {
        var c = new double[free.Length];
        ToNatural(free, c);
        return NegativeLogLikelihoodAt(c);
    }

    /// <summary>Per-observation negative concentrated log-likelihood at natural coefficients, +∞ where undefined.</summary>
    public double NegativeLogLikelihoodAt(double[] c)
    {
        var sums = Evaluate(c);
        if (!sums.Ok || !sums.Concentrate(out _, out var sigma2)) return double.PositiveInfinity;
        return 0.5 * Math.Log(sigma2) + 0.5 * sums.SumLogF / sums.Count;
    }

    /// <summary>Kalman filter of the differenced series at natural coefficients.</summary>
    public FilterSums Evaluate(double[] c, Span<double> innovations = default)
    {
        var (phi, theta) = Expand(c);
        if (!_likelihoodSpace.SetCoefficients(phi, theta)) return FilterSums.Failed;
        return _likelihoodSpace.Filter(_differenced, _differencedRegressors, _states, _covariance, innovations);
    }

    /// <summary>
    /// Conditional sum of squares as R's arima "CSS": residuals of the differenced series from index p + sP on,
    /// earlier residuals taken as zero; the mean/drift coefficient is solved by least squares. Returns σ² = SS / count.
    /// </summary>
    public double ConditionalSumOfSquares(double[] c, out double[] beta)
    {
        var (phi, theta) = Expand(c);
        var start = phi.Length;
        var length = _differenced.Length;
        var k = _differencedRegressors.Length;
        var residuals = new double[(k + 1) * length];
        for (var s = 0; s <= k; s++)
        {
            var w = s == 0 ? _differenced : _differencedRegressors[s - 1];
            var e = residuals.AsSpan(s * length, length);
            for (var t = start; t < length; t++)
            {
                var value = w[t];
                for (var j = 0; j < phi.Length; j++) value -= phi[j] * w[t - j - 1];
                var limit = Math.Min(t - start, theta.Length);
                for (var j = 0; j < limit; j++) value -= theta[j] * e[t - j - 1];
                e[t] = value;
            }
        }
        var count = length - start;
        beta = new double[k];
        double ssq = 0;
        var ey = residuals.AsSpan(0, length);
        for (var t = start; t < length; t++) ssq += ey[t] * ey[t];
        if (k > 0)
        {
            var a = new double[k, k];
            var b = new double[k];
            for (var i = 0; i < k; i++)
            {
                var ei = residuals.AsSpan((i + 1) * length, length);
                for (var t = start; t < length; t++) b[i] += ei[t] * ey[t];
                for (var j = 0; j <= i; j++)
                {
                    var ej = residuals.AsSpan((j + 1) * length, length);
                    double sum = 0;
                    for (var t = start; t < length; t++) sum += ei[t] * ej[t];
                    a[i, j] = sum;
                    a[j, i] = sum;
                }
            }
            if (Cholesky.TrySolve(a, b))
            {
                b.CopyTo(beta, 0);
                for (var i = 0; i < k; i++)
                {
                    var ei = residuals.AsSpan((i + 1) * length, length);
                    double cross = 0;
                    for (var t = start; t < length; t++) cross += ei[t] * ey[t];
                    ssq -= beta[i] * cross;
                }
            }
        }
        var sigma2 = Math.Max(ssq, 0) / count;
        return double.IsFinite(sigma2) ? sigma2 : double.PositiveInfinity;
    }

    /// <summary>The series and regressors the model was fitted to, for forecasting.</summary>
    public double[] Series => _y;

    public double[][] Regressors => _regressors;

    /// <summary>The full state space, differencing included, for forecasting in the original units.</summary>
    public ArimaStateSpace CreateFullStateSpace() => new(_order);
}
