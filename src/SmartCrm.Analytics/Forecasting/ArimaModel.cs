namespace SmartCrm.Analytics.Forecasting;

/// <summary>The deterministic term of an ARIMA model, chosen as forecast::Arima and auto.arima do.</summary>
public enum ArimaConstant
{
    /// <summary>No constant.</summary>
    None,

    /// <summary>A non-zero mean (only without differencing).</summary>
    Mean,

    /// <summary>A linear drift, y_t − c·t following the ARIMA model (only with exactly one difference).</summary>
    Drift,
}

/// <summary>How the coefficients are estimated.</summary>
public enum ArimaEstimation
{
    /// <summary>Exact Gaussian maximum likelihood from conditional-sum-of-squares start values (R's "CSS-ML").</summary>
    MaximumLikelihood,

    /// <summary>Conditional sum of squares only: fast and approximate (R's "CSS").</summary>
    ConditionalSumOfSquares,
}

/// <summary>Fits seasonal ARIMA models.</summary>
public static class Arima
{
    /// <summary>
    /// Fits ARIMA <paramref name="order"/> to <paramref name="series"/> by exact maximum likelihood (or by conditional
    /// sum of squares). With <paramref name="includeConstant"/>, a mean is estimated when the model has no differencing
    /// and a drift when it has exactly one; more differencing with a constant is refused, as in forecast::Arima.
    /// </summary>
    /// <exception cref="ArgumentException">Non-finite values, a series too short for the order, or nothing left to model after differencing.</exception>
    public static ArimaModel Fit(ReadOnlySpan<double> series, ArimaOrder order, bool includeConstant = false,
        ArimaEstimation estimation = ArimaEstimation.MaximumLikelihood)
    {
        order.Validate();
        SeriesInput.RequireFinite(series, nameof(series));
        var problem = ArimaEstimator.Problem(series.Length, order, includeConstant);
        if (problem is not null) throw new ArgumentException(problem, nameof(series));
        var estimator = new ArimaEstimator(series.ToArray(), order, includeConstant);
        if (estimator.DifferencedIsConstant)
            throw new ArgumentException($"After differencing for {order} the series is constant: there is no random part to model.", nameof(series));
        return estimator.Estimate(estimation, rejectNonStationaryStart: false)
            ?? throw new ArgumentException($"{order} could not be estimated on this series (the conditional-sum-of-squares estimate is not stationary).", nameof(series));
    }
}

/// <summary>A fitted seasonal ARIMA model: coefficients, fit statistics and forecasts.</summary>
public sealed class ArimaModel
{
    private readonly ArimaEstimator _estimator;
    private readonly double[] _coefficients;
    private readonly double[] _beta;

    internal ArimaModel(ArimaEstimator estimator, ArimaOrder order, ArimaConstant constant, double[] coefficients, double[] beta,
        double sigma2, double logLikelihood, int observations, ArimaEstimation estimation, bool converged)
    {
        this._estimator = estimator;
        this._coefficients = coefficients;
        this._beta = beta;
        Order = order;
        ConstantKind = constant;
        Sigma2 = sigma2;
        LogLikelihood = logLikelihood;
        EffectiveObservations = observations;
        Estimation = estimation;
        Converged = converged;
        var (ar, ma, sar, sma) = estimator.Split(coefficients);
        Ar = ar;
        Ma = ma;
        SeasonalAr = sar;
        SeasonalMa = sma;
        ParameterCount = coefficients.Length + beta.Length + 1;
    }

    /// <summary>The orders fitted.</summary>
    public ArimaOrder Order { get; }

    /// <summary>Whether the model has a mean, a drift or neither.</summary>
    public ArimaConstant ConstantKind { get; }

    /// <summary>The mean or drift coefficient (0 when <see cref="ConstantKind"/> is <see cref="ArimaConstant.None"/>).</summary>
    public double Constant => _beta.Length > 0 ? _beta[0] : 0;

    /// <summary>Non-seasonal autoregressive coefficients φ₁..φ_p.</summary>
    public IReadOnlyList<double> Ar { get; }

    /// <summary>Non-seasonal moving-average coefficients θ₁..θ_q (R's and statsmodels' sign: y_t = … + ε_t + θ₁ε_{t−1}).</summary>
    public IReadOnlyList<double> Ma { get; }

    /// <summary>Seasonal autoregressive coefficients Φ₁..Φ_P.</summary>
    public IReadOnlyList<double> SeasonalAr { get; }

    /// <summary>Seasonal moving-average coefficients Θ₁..Θ_Q.</summary>
    public IReadOnlyList<double> SeasonalMa { get; }

    /// <summary>Innovation variance: the maximum-likelihood (or CSS) estimate.</summary>
    public double Sigma2 { get; }

    /// <summary>Exact Gaussian log-likelihood of the observations after the first d + sD (conditional for CSS).</summary>
    public double LogLikelihood { get; }

    /// <summary>Observations in the likelihood, n − d − sD.</summary>
    public int EffectiveObservations { get; }

    /// <summary>Estimated parameters, counting σ²: p + q + P + Q, the constant if any, and one.</summary>
    public int ParameterCount { get; }

    /// <summary>How the coefficients were estimated.</summary>
    public ArimaEstimation Estimation { get; }

    /// <summary>False when the optimiser stopped at its iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>Akaike's criterion, −2 log L + 2k.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>AIC corrected for small samples, as forecast::auto.arima (over n − d − sD observations).</summary>
    public double Aicc
    {
        get
        {
            var denominator = EffectiveObservations - ParameterCount - 1;
            return denominator > 0 ? Aic + 2.0 * ParameterCount * (ParameterCount + 1) / denominator : double.PositiveInfinity;
        }
    }

    /// <summary>Schwarz's Bayesian criterion, −2 log L + k log(n − d − sD).</summary>
    public double Bic => -2 * LogLikelihood + ParameterCount * Math.Log(EffectiveObservations);

    /// <summary>A description such as <c>ARIMA(0,1,1)(0,1,1)[12]</c> or <c>ARIMA(1,1,0) with drift</c>.</summary>
    public override string ToString() => ConstantKind switch
    {
        ArimaConstant.Mean => $"{Order} with non-zero mean",
        ArimaConstant.Drift => $"{Order} with drift",
        _ => Order.ToString(),
    };

    /// <summary>
    /// Forecasts <paramref name="horizon"/> steps past the end of the series with a <paramref name="level"/> prediction
    /// interval from the state-space forecast variance (parameter uncertainty ignored, as R and statsmodels do).
    /// </summary>
    public Forecast Forecast(int horizon, double level = 0.95)
    {
        Forecasting.Forecast.CheckHorizon(horizon);
        var z = Forecasting.Forecast.Quantile(level);
        var series = _estimator.Series;
        var regressors = _estimator.Regressors;
        var n = series.Length;
        var adjusted = new double[n];
        for (var t = 0; t < n; t++)
        {
            var value = series[t];
            for (var j = 0; j < regressors.Length; j++) value -= _beta[j] * regressors[j][t];
            adjusted[t] = value;
        }
        var stateSpace = _estimator.CreateFullStateSpace();
        var (phi, theta) = _estimator.Expand(_coefficients);
        stateSpace.SetCoefficients(phi, theta);
        var m = stateSpace.StateLength;
        var a = new double[m];
        var p = new double[m * m];
        stateSpace.Filter(adjusted, [], a, p);
        var mean = new double[horizon];
        var lower = new double[horizon];
        var upper = new double[horizon];
        for (var h = 0; h < horizon; h++)
        {
            var (value, variance) = stateSpace.Observe(a, p);
            value += ConstantKind switch
            {
                ArimaConstant.Mean => _beta[0],
                ArimaConstant.Drift => _beta[0] * (n + h + 1),
                _ => 0,
            };
            var spread = z * Math.Sqrt(Math.Max(variance, 0) * Sigma2);
            mean[h] = value;
            lower[h] = value - spread;
            upper[h] = value + spread;
            stateSpace.Transition(a);
            stateSpace.Predict(p);
        }
        return new Forecast(mean, lower, upper, level);
    }

    /// <summary>
    /// forecast::auto.arima's test of a usable model: every root of the AR and MA polynomials at least 1.01 in modulus,
    /// and positive variances on the diagonal of the inverse Hessian of the likelihood (a true interior optimum).
    /// </summary>
    internal bool IsWellBehaved()
    {
        var (phi, theta) = _estimator.Expand(_coefficients);
        var minRoot = Math.Min(ArmaPolynomials.SmallestRootModulus(phi, -1), ArmaPolynomials.SmallestRootModulus(theta, 1));
        if (minRoot < 1.01) return false;
        return _coefficients.Length == 0 || HasPositiveVariances();
    }

    private bool HasPositiveVariances()
    {
        var k = _coefficients.Length;
        Func<double[], double> objective = Estimation == ArimaEstimation.MaximumLikelihood
            ? _estimator.NegativeLogLikelihoodAt
            : c => 0.5 * Math.Log(_estimator.ConditionalSumOfSquares(c, out _));
        var hessian = new double[k, k];
        var x = (double[])_coefficients.Clone();
        var f0 = objective(x);
        const double h = 1e-4;
        for (var i = 0; i < k; i++)
        {
            for (var j = i; j < k; j++)
            {
                double value;
                if (i == j)
                {
                    x[i] = _coefficients[i] + h;
                    var up = objective(x);
                    x[i] = _coefficients[i] - h;
                    var down = objective(x);
                    x[i] = _coefficients[i];
                    value = (up - 2 * f0 + down) / (h * h);
                }
                else
                {
                    double Probe(double di, double dj)
                    {
                        x[i] = _coefficients[i] + di;
                        x[j] = _coefficients[j] + dj;
                        var v = objective(x);
                        x[i] = _coefficients[i];
                        x[j] = _coefficients[j];
                        return v;
                    }
                    value = (Probe(h, h) - Probe(h, -h) - Probe(-h, h) + Probe(-h, -h)) / (4 * h * h);
                }
                if (!double.IsFinite(value)) return false;
                hessian[i, j] = value;
                hessian[j, i] = value;
            }
        }
        var matrix = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(hessian);
        var inverse = matrix.Inverse();
        for (var i = 0; i < k; i++)
            if (!(inverse[i, i] > 0) || !double.IsFinite(inverse[i, i])) return false;
        return true;
    }
}
