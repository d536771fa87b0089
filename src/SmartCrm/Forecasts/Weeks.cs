namespace SmartCrm.Forecasts;

/// <summary>Weeks as forecasts count them: starting Monday 00:00 UTC.</summary>
public static class Weeks
{
    public static DateTime Start(DateTime at) => at.Date.AddDays(-(((int)at.DayOfWeek + 6) % 7));

    /// <summary>The index of the week holding <paramref name="at"/>, counted from <paramref name="first"/> (a week start).</summary>
    public static int Index(DateTime first, DateTime at) => (int)Math.Floor((at - first).TotalDays / 7);
}
