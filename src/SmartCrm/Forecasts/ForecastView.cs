namespace SmartCrm.Forecasts;

/// <summary>A stored forecast with its weeks: the history first, then the forecast with its interval.</summary>
public sealed record ForecastView(ForecastSeries Series, IReadOnlyList<ForecastPoint> Points)
{
    /// <summary>RFC 4180 text, one row per week; empty cells where a week has no such figure (history has no interval).</summary>
    public string ToCsv()
    {
        var csv = new System.Text.StringBuilder("week,actual,forecast,lower,upper\r\n");
        foreach (var p in Points)
        {
            csv.Append(p.Week.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            foreach (var value in new[] { p.Actual, p.Mean, p.Lower, p.Upper })
                csv.Append(',').Append(value?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
            csv.Append("\r\n");
        }
        return csv.ToString();
    }
}
