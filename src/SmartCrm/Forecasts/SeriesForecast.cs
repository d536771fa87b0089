namespace SmartCrm.Forecasts;

/// <summary>
/// What the automatic selection made of one weekly series: the method chosen, its forecast with the interval, and its errors
/// on the held-out weeks next to the naive forecast's (null when the history was too short to hold weeks out).
/// </summary>
public sealed record SeriesForecast(
    string Method, double[] Mean, double[] Lower, double[] Upper, double Level,
    double? Smape, double? Mase, double? NaiveSmape, double? NaiveMase);
