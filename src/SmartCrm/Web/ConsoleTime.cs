using System.Globalization;

namespace SmartCrm.Web;

/// <summary>
/// The time zone the console shows times in: the user's browser zone, which a script on every page sends once in a cookie
/// (wwwroot/time-zone.js), or UTC until it has. Every time is shown in that one zone, in one format, and the page says which.
/// </summary>
public sealed class ConsoleTime
{
    public const string Cookie = ".SmartCrm.TimeZone";

    public ConsoleTime(IHttpContextAccessor http)
    {
        var name = http.HttpContext?.Request.Cookies[Cookie];
        Zone = name is { Length: > 0 and <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : TimeZoneInfo.Utc;
        // Only a zone the system knows is ever written back into a page.
        Name = Zone == TimeZoneInfo.Utc ? "UTC" : Zone.Id;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The IANA name ("Europe/Vienna"), or "UTC".</summary>
    public string Name { get; }

    /// <summary>"UTC+01:00" now, for the label.</summary>
    public string Offset(DateTime utcNow)
    {
        var offset = Zone.GetUtcOffset(utcNow);
        return "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>A stored time (UTC, whatever its Kind says) in the user's zone.</summary>
    public DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>"2025-03-04 14:05" (or with seconds, or the date alone) in the user's zone: the same in every language, as live.js writes it.</summary>
    public string Format(DateTime utc, TimeStyle style = TimeStyle.Minutes) =>
        Local(utc).ToString(style switch { TimeStyle.Seconds => "yyyy-MM-dd HH:mm:ss", TimeStyle.Date => "yyyy-MM-dd", _ => "yyyy-MM-dd HH:mm" }, CultureInfo.InvariantCulture);
}

public enum TimeStyle { Minutes, Seconds, Date }
