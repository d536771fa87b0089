namespace SmartCrm.Forecasts;

/// <summary>One week of a <see cref="ForecastSeries"/>: what happened (history), or the forecast with its interval.</summary>
public sealed class ForecastPoint
{
    public long Id { get; set; }
    public long SeriesId { get; set; }

    /// <summary>Monday 00:00 UTC starting the week.</summary>
    public DateTime Week { get; set; }
    public double? Actual { get; set; }
    public double? Mean { get; set; }
    public double? Lower { get; set; }
    public double? Upper { get; set; }
}
