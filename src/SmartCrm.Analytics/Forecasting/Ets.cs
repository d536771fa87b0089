using System.Globalization;

namespace SmartCrm.Analytics.Forecasting;

/// <summary>Error type of an exponential smoothing state-space model.</summary>
public enum EtsError
{
    /// <summary>Additive errors.</summary>
    Additive,

    /// <summary>Multiplicative (relative) errors.</summary>
    Multiplicative,
}

/// <summary>Trend type of an exponential smoothing model.</summary>
public enum EtsTrend
{
    /// <summary>No trend (simple exponential smoothing).</summary>
    None,

    /// <summary>Additive trend (Holt).</summary>
    Additive,

    /// <summary>Additive damped trend.</summary>
    AdditiveDamped,
}

/// <summary>Seasonal type of an exponential smoothing model.</summary>
public enum EtsSeason
{
    /// <summary>No seasonality.</summary>
    None,

    /// <summary>Additive seasonality (Holt–Winters additive).</summary>
    Additive,

    /// <summary>Multiplicative seasonality (Holt–Winters multiplicative).</summary>
    Multiplicative,
}

/// <summary>An ETS model form such as ETS(M,Ad,M).</summary>
/// <param name="Error">Error type.</param>
/// <param name="Trend">Trend type.</param>
/// <param name="Season">Seasonal type.</param>
public readonly record struct EtsForm(EtsError Error, EtsTrend Trend, EtsSeason Season)
{
    /// <summary>Hyndman's notation, for example <c>ETS(M,Ad,M)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ETS({(Error == EtsError.Additive ? "A" : "M")},{Trend switch { EtsTrend.None => "N", EtsTrend.Additive => "A", _ => "Ad" }},{Season switch { EtsSeason.None => "N", EtsSeason.Additive => "A", _ => "M" }})");
}

/// <summary>
/// Exponential smoothing in the innovations state-space framework of Hyndman et al. (2008), fitted by maximum
/// likelihood over smoothing parameters and initial states as forecast::ets does (Nelder–Mead, the "usual" and
/// "admissible" bounds, classical-decomposition start values), and selected by AICc among the forms ets allows by
/// default: additive or multiplicative errors, no/additive/damped trend, no/additive/multiplicative season, never
/// additive errors with multiplicative season, multiplicative forms only for positive data.
/// </summary>
public static class Ets
{
    /// <summary>Fits one form. <paramref name="period"/> is the seasonal period (ignored by non-seasonal forms).</summary>
    /// <exception cref="ArgumentException">Non-finite values, too short a series, a seasonal form without a period, or multiplicative parts with non-positive data.</exception>
    public static EtsModel Fit(ReadOnlySpan<double> series, int period, EtsForm form)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        var y = series.ToArray();
        if (form.Season != EtsSeason.None && period < 2)
            throw new ArgumentException($"{form} is seasonal and needs a seasonal period of at least 2, not {period}.", nameof(period));
        if (form.Season != EtsSeason.None && period > 24)
            throw new ArgumentException($"Seasonal ETS is limited to periods up to 24, as in forecast::ets; got {period}.", nameof(period));
        if ((form.Error == EtsError.Multiplicative || form.Season == EtsSeason.Multiplicative) && Array.Exists(y, v => v <= 0))
            throw new ArgumentException($"{form} has multiplicative parts and needs strictly positive data.", nameof(series));
        if (SeriesInput.IsConstant(y)) throw new ArgumentException("The series is constant: there is nothing to smooth.", nameof(series));
        var m = form.Season == EtsSeason.None ? 1 : period;
        var model = EtsEstimator.Estimate(y, m, form);
        return model ?? throw new ArgumentException($"The series has {y.Length} values, too few for the {EtsEstimator.ParameterCount(form, m)} parameters of {form}.", nameof(series));
    }

    /// <summary>Fits every admissible form and returns the one with the smallest criterion.</summary>
    /// <exception cref="ArgumentException">Non-finite values, a constant series, or no form could be fitted.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between two form fits.</exception>
    public static EtsModel Select(ReadOnlySpan<double> series, int period = 1, InformationCriterion criterion = InformationCriterion.Aicc,
        CancellationToken cancellationToken = default)
    {
        SeriesInput.RequireFinite(series, nameof(series));
        var y = series.ToArray();
        if (SeriesInput.IsConstant(y)) throw new ArgumentException("The series is constant: there is nothing to smooth.", nameof(series));
        var positive = !Array.Exists(y, v => v <= 0);
        var seasonal = period > 1 && period <= 24 && y.Length > period;
        EtsModel? best = null;
        var bestValue = double.PositiveInfinity;
        foreach (var error in new[] { EtsError.Additive, EtsError.Multiplicative })
        {
            if (error == EtsError.Multiplicative && !positive) continue;
            foreach (var trend in new[] { EtsTrend.None, EtsTrend.Additive, EtsTrend.AdditiveDamped })
            {
                foreach (var season in new[] { EtsSeason.None, EtsSeason.Additive, EtsSeason.Multiplicative })
                {
                    if (season != EtsSeason.None && !seasonal) continue;
                    if (season == EtsSeason.Multiplicative && (error == EtsError.Additive || !positive)) continue;
                    cancellationToken.ThrowIfCancellationRequested();
                    var form = new EtsForm(error, trend, season);
                    var model = EtsEstimator.Estimate(y, season == EtsSeason.None ? 1 : period, form);
                    if (model is null) continue;
                    var value = criterion switch
                    {
                        InformationCriterion.Aic => model.Aic,
                        InformationCriterion.Bic => model.Bic,
                        _ => model.Aicc,
                    };
                    if (value < bestValue)
                    {
                        best = model;
                        bestValue = value;
                    }
                }
            }
        }
        return best ?? throw new ArgumentException($"No ETS form could be fitted to a series of {y.Length} values.", nameof(series));
    }
}

/// <summary>A fitted exponential smoothing model.</summary>
public sealed class EtsModel
{
    private readonly double[] _finalState;

    internal EtsModel(EtsForm form, int period, double alpha, double beta, double gamma, double phi, double[] initialState,
        double[] finalState, double sumSquares, double likelihoodTerm, int observations, int parameters)
    {
        Form = form;
        Period = period;
        Alpha = alpha;
        Beta = beta;
        Gamma = gamma;
        Phi = phi;
        InitialState = initialState;
        this._finalState = finalState;
        Observations = observations;
        ParameterCount = parameters + 1;
        // −2 log L = n log(2π SSE / n) + n (+ 2 Σ log|ŷ| for multiplicative errors); forecast::ets drops the constants.
        LogLikelihood = -0.5 * (likelihoodTerm + observations * (Math.Log(2 * Math.PI / observations) + 1));
        Sigma2 = sumSquares / Math.Max(1, observations - parameters);
    }

    /// <summary>The model form.</summary>
    public EtsForm Form { get; }

    /// <summary>Seasonal period (1 for non-seasonal forms).</summary>
    public int Period { get; }

    /// <summary>Level smoothing parameter α.</summary>
    public double Alpha { get; }

    /// <summary>Trend smoothing parameter β (0 without trend).</summary>
    public double Beta { get; }

    /// <summary>Seasonal smoothing parameter γ (0 without season).</summary>
    public double Gamma { get; }

    /// <summary>Damping parameter φ (1 without damping).</summary>
    public double Phi { get; }

    /// <summary>Initial state: level, trend if any, then the seasonal states newest first.</summary>
    public IReadOnlyList<double> InitialState { get; }

    /// <summary>Number of observations fitted.</summary>
    public int Observations { get; }

    /// <summary>Estimated parameters including the initial states and σ².</summary>
    public int ParameterCount { get; }

    /// <summary>Gaussian log-likelihood at the maximum.</summary>
    public double LogLikelihood { get; }

    /// <summary>Residual variance, sum of squared (relative, for multiplicative errors) errors over n − k.</summary>
    public double Sigma2 { get; }

    /// <summary>Akaike's criterion.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>Small-sample corrected AIC.</summary>
    public double Aicc => Observations - ParameterCount - 1 > 0
        ? Aic + 2.0 * ParameterCount * (ParameterCount + 1) / (Observations - ParameterCount - 1)
        : double.PositiveInfinity;

    /// <summary>Schwarz's criterion.</summary>
    public double Bic => -2 * LogLikelihood + Math.Log(Observations) * ParameterCount;

    /// <inheritdoc />
    public override string ToString() => Form.ToString();

    /// <summary>
    /// Point forecasts from the final state, with a <paramref name="level"/> interval from 5,000 simulated sample
    /// paths (errors drawn with σ² = <see cref="Sigma2"/>; <paramref name="seed"/> makes it reproducible).
    /// </summary>
    public Forecast Forecast(int horizon, double level = 0.95, int seed = 1)
    {
        Forecasting.Forecast.CheckHorizon(horizon);
        _ = Forecasting.Forecast.Quantile(level);
        var mean = new double[horizon];
        EtsEstimator.PointForecasts(Form, Period, Phi, _finalState, mean);
        const int paths = 5000;
        var draws = new double[horizon][];
        for (var h = 0; h < horizon; h++) draws[h] = new double[paths];
        var random = new Random(seed);
        var sigma = Math.Sqrt(Sigma2);
        var state = new double[_finalState.Length];
        for (var path = 0; path < paths; path++)
        {
            _finalState.CopyTo(state, 0);
            for (var h = 0; h < horizon; h++)
            {
                var forecast = EtsEstimator.OneStep(Form, Period, Phi, state);
                var error = sigma * Gaussian(random);
                var value = Form.Error == EtsError.Additive ? forecast + error : forecast * (1 + error);
                draws[h][path] = value;
                EtsEstimator.Update(Form, Period, Alpha, Beta, Gamma, Phi, state, value);
            }
        }
        var lower = new double[horizon];
        var upper = new double[horizon];
        for (var h = 0; h < horizon; h++)
        {
            Array.Sort(draws[h]);
            lower[h] = Quantile(draws[h], (1 - level) / 2);
            upper[h] = Quantile(draws[h], (1 + level) / 2);
        }
        return new Forecast(mean, lower, upper, level);
    }

    private static double Quantile(double[] sorted, double probability)
    {
        var position = probability * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
