namespace SmartCrm.Forecasts;

/// <summary>
/// When a device's consumable falls due: the hours used since it was fitted (its weekly history, plus an estimate for any
/// time before that history) run on with the forecast weeks until they reach the part's life. The interval's upper bound
/// (more use) gives the earliest date, the lower bound the latest; past the horizon the last forecast week repeats.
/// </summary>
public static class ConsumableDue
{
    /// <summary>How far ahead a due date is looked for (three years); beyond that it is left empty.</summary>
    public const int MaxWeeks = 156;

    public static void Describe(ForecastSeries row, ConsumableWear wear, WeeklySeries series, SeriesForecast forecast, DateTime historyEnd)
    {
        var life = wear.Rule.LifeHours;
        row.Consumable = wear.Rule.Name.Length > 100 ? wear.Rule.Name[..100] : wear.Rule.Name;
        if (!(life > 0)) return;
        var used = wear.HoursBeforeHistory;
        var first = Math.Max(0, Weeks.Index(series.FirstWeek, wear.FittedAt));
        for (var w = first; w < series.Values.Length; w++)
        {
            var week = series.Values[w];
            if (used + week >= life)
            {
                // Worn out during history: due (overdue) in that week, at the share of it the last hours took.
                var at = series.FirstWeek.AddDays(7 * (w + (life - used) / week));
                (row.DueAt, row.DueEarliest, row.DueLatest, row.LifeUsed) = (at, at, at, Math.Round(Used(series, first, wear) / life, 3));
                return;
            }
            used += week;
        }
        row.LifeUsed = Math.Round(used / life, 3);
        row.DueAt = Reach(forecast.Mean, life - used, historyEnd);
        row.DueEarliest = Reach(forecast.Upper, life - used, historyEnd);
        row.DueLatest = Reach(forecast.Lower, life - used, historyEnd);
    }

    private static double Used(WeeklySeries series, int first, ConsumableWear wear)
    {
        var used = wear.HoursBeforeHistory;
        for (var w = first; w < series.Values.Length; w++) used += series.Values[w];
        return used;
    }

    private static DateTime? Reach(double[] weekly, double remaining, DateTime start)
    {
        if (weekly.Length == 0) return null;
        double total = 0;
        for (var h = 0; h < MaxWeeks; h++)
        {
            var week = weekly[Math.Min(h, weekly.Length - 1)];
            if (week > 0 && total + week >= remaining) return start.AddDays(7 * (h + (remaining - total) / week));
            total += week;
        }
        return null;
    }
}
