namespace SmartCrm.Analytics.Forecasting;

/// <summary>Point forecasts for the next steps with a symmetric-in-probability prediction interval.</summary>
/// <param name="Mean">Point forecast for steps 1..h.</param>
/// <param name="Lower">Lower bound of the prediction interval for each step.</param>
/// <param name="Upper">Upper bound of the prediction interval for each step.</param>
/// <param name="Level">Coverage of the interval, for example 0.95.</param>
public sealed record Forecast(double[] Mean, double[] Lower, double[] Upper, double Level)
{
    /// <summary>Number of steps forecast.</summary>
    public int Horizon => Mean.Length;

    /// <summary>
    /// Applies a monotone increasing transform to every figure, for example <see cref="Math.Exp"/> to return from a log
    /// scale (the mean then becomes the median of the back-transformed distribution; the interval keeps its coverage).
    /// </summary>
    public Forecast Map(Func<double, double> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new Forecast(Array.ConvertAll(Mean, v => transform(v)), Array.ConvertAll(Lower, v => transform(v)),
            Array.ConvertAll(Upper, v => transform(v)), Level);
    }

    internal static double Quantile(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The interval level must lie strictly between 0 and 1.");
        return MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.5 + level / 2);
    }

    internal static void CheckHorizon(int horizon)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The forecast horizon must be at least one step.");
    }
}
