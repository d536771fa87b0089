using System.Globalization;

namespace SmartCrm.Analytics.Forecasting;

/// <summary>
/// The orders of a seasonal ARIMA model (p,d,q)(P,D,Q)s: autoregressive, differencing and moving-average orders,
/// plain and seasonal, and the seasonal period s (1 when the model has no seasonal part).
/// </summary>
/// <param name="P">Non-seasonal autoregressive order p.</param>
/// <param name="D">Non-seasonal differencing order d.</param>
/// <param name="Q">Non-seasonal moving-average order q.</param>
/// <param name="SeasonalP">Seasonal autoregressive order P.</param>
/// <param name="SeasonalD">Seasonal differencing order D.</param>
/// <param name="SeasonalQ">Seasonal moving-average order Q.</param>
/// <param name="Period">Seasonal period s (12 for monthly data with a yearly pattern; 1 for none).</param>
public readonly record struct ArimaOrder(int P, int D, int Q, int SeasonalP = 0, int SeasonalD = 0, int SeasonalQ = 0, int Period = 1)
{
    /// <summary>Length of the expanded autoregressive polynomial, p + sP.</summary>
    public int ExpandedAr => P + Period * SeasonalP;

    /// <summary>Length of the expanded moving-average polynomial, q + sQ.</summary>
    public int ExpandedMa => Q + Period * SeasonalQ;

    /// <summary>Number of observations lost to differencing, d + sD.</summary>
    public int Differences => D + Period * SeasonalD;

    /// <summary>Number of ARMA coefficients, p + q + P + Q.</summary>
    public int ArmaCoefficients => P + Q + SeasonalP + SeasonalQ;

    /// <summary>True when the model has a seasonal part.</summary>
    public bool IsSeasonal => Period > 1 && SeasonalP + SeasonalD + SeasonalQ > 0;

    /// <summary>Checks that the orders are usable; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (P < 0 || D < 0 || Q < 0 || SeasonalP < 0 || SeasonalD < 0 || SeasonalQ < 0)
            throw new ArgumentException($"ARIMA orders must be non-negative: {this}.", "order");
        if (Period < 1)
            throw new ArgumentException($"The seasonal period must be at least 1, not {Period}.", "order");
        if (Period == 1 && SeasonalP + SeasonalD + SeasonalQ > 0)
            throw new ArgumentException($"Seasonal orders need a seasonal period above 1: {this}.", "order");
    }

    /// <summary>The order in R's notation, for example <c>ARIMA(0,1,1)(0,1,1)[12]</c>.</summary>
    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"ARIMA({P},{D},{Q})");
        return IsSeasonal ? text + string.Create(CultureInfo.InvariantCulture, $"({SeasonalP},{SeasonalD},{SeasonalQ})[{Period}]") : text;
    }
}
