namespace SmartCrm.Web;

/// <summary>A time window [From, To) in epoch milliseconds, read in intervals of <see cref="Interval"/> ms.</summary>
public sealed record HistoryWindow(string Range, long From, long To, long Interval)
{
    /// <summary>"10 min", "1 h", "1 d": the interval as the page says it.</summary>
    public string IntervalText => Interval switch
    {
        < 3_600_000 => $"{Interval / 60_000} min",
        < 86_400_000 => $"{Interval / 3_600_000} h",
        _ => $"{Interval / 86_400_000} d",
    };

    /// <summary>How the chart's time axis labels a point: the time of day for a day or less, else the date.</summary>
    public string AxisFormat => (To - From) switch
    {
        // A day and the minutes the first interval reaches back to start on a whole interval.
        <= 26 * 3_600_000L => "HH:mm",
        <= 3 * 86_400_000L => "MM-dd HH:mm",
        _ => "MM-dd",
    };
}
