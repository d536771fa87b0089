using System.Globalization;
using System.Text.Json;
using SmartCrm.Devices;
using SmartCrm.Telemetry;

namespace SmartCrm.Web;

/// <summary>
/// A device's numeric readings over a time range, averaged (with minimum and maximum) per interval by the database
/// (<see cref="TelemetryStore.AggregateAsync"/>), as one <see cref="Figure"/> per key with its times in the user's zone: the
/// device page draws them and /devices/{id}/history.csv serves them.
/// </summary>
public sealed class DeviceHistory(TelemetryStore store, ConsoleTime time, TimeProvider clock)
{
    public static readonly string[] Ranges = ["hour", "day", "week", "month"];

    /// <summary>At most this many points per line: enough for the chart's width, few enough for the table under it.</summary>
    public const int MaxPoints = 200;

    /// <summary>At most this many keys are drawn (the first in name order), as on the page's latest values.</summary>
    public const int MaxKeys = 12;

    private static readonly long[] Steps = [.. new[] { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080 }.Select(m => m * 60_000L)];

    /// <summary>
    /// The window a page or CSV asks for: a named range ending now, or (range "custom") <paramref name="from"/> to
    /// <paramref name="to"/> as the user typed them in their zone ("2026-03-04T14:05"). Null and a reason when they do not
    /// make a window; an unknown or missing range is the last day.
    /// </summary>
    public (HistoryWindow? Window, string? Problem) Window(string? range, string? from, string? to)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (range == "custom")
        {
            if (!TryLocal(from, out var start) || !TryLocal(to, out var end)) return (null, "Give a start before the end.");
            if (end <= start) return (null, "Give a start before the end.");
            return (Make("custom", start, end), null);
        }
        var name = Ranges.Contains(range) ? range! : "day";
        var span = name switch { "hour" => TimeSpan.FromHours(1), "week" => TimeSpan.FromDays(7), "month" => TimeSpan.FromDays(30), _ => TimeSpan.FromDays(1) };
        return (Make(name, now - (long)span.TotalMilliseconds, now + 1), null);
    }

    private HistoryWindow Make(string name, long from, long to)
    {
        var span = to - from;
        var interval = Steps.FirstOrDefault(s => span / s <= MaxPoints);
        if (interval == 0) interval = (span + MaxPoints - 1) / MaxPoints;
        // Intervals start on whole minutes, hours or days of the user's clock (at today's offset), not wherever "now" fell.
        var offset = (long)time.Zone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(to).UtcDateTime).TotalMilliseconds;
        var start = Math.Max(0, (long)Math.Floor((from + offset) / (double)interval) * interval - offset);
        return new HistoryWindow(name, start, to, interval);
    }

    private bool TryLocal(string? text, out long ms)
    {
        ms = 0;
        if (!DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            || local.Year < 1971 || local.Year > 9998) return false;
        // A time skipped by a daylight-saving change means the hour after it.
        if (time.Zone.IsInvalidTime(local)) local = local.AddHours(1);
        ms = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, time.Zone)).ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>The device's numeric keys (by its latest readings), at most <see cref="MaxKeys"/>.</summary>
    public async Task<List<string>> KeysAsync(long deviceId, CancellationToken cancellationToken) =>
        [.. (await store.LatestAsync(deviceId, cancellationToken)).Where(p => p.Kind == ValueKind.Number).Select(p => p.Key).Take(MaxKeys)];

    /// <summary>Average, minimum and maximum of each key per interval of the window; intervals without readings left out.</summary>
    public async Task<List<Figure>> ReadAsync(long deviceId, IReadOnlyList<string> keys, HistoryWindow window, CancellationToken cancellationToken)
    {
        if (keys.Count == 0) return [];
        var avg = await store.AggregateAsync(deviceId, keys, window.From, window.To, window.Interval, Aggregation.Avg, cancellationToken);
        var min = await store.AggregateAsync(deviceId, keys, window.From, window.To, window.Interval, Aggregation.Min, cancellationToken);
        var max = await store.AggregateAsync(deviceId, keys, window.From, window.To, window.Interval, Aggregation.Max, cancellationToken);
        var header = $"time ({time.Name})";
        return [.. keys.Select(key => new Figure(key, header, ["avg", "min", "max"], [.. avg[key].Select((a, i) =>
        {
            var utc = DateTimeOffset.FromUnixTimeMilliseconds(a.Ts).UtcDateTime;
            return new Figure.Row(time.Format(utc), [a.Value, min[key][i].Value, max[key][i].Value], time.Local(utc));
        })]))];
    }

    /// <summary>
    /// The unit of a key: the device's own "units" attribute (<c>{"units":{"roomTemperature":"°C"}}</c>, reported, desired or
    /// server-side) when it names one, else one read from the key's name for the common readings.
    /// </summary>
    public static string? Unit(Device device, string key)
    {
        foreach (var attributes in new[] { device.ServerAttributes, device.SharedAttributes, device.ClientAttributes })
        {
            try
            {
                using var json = JsonDocument.Parse(attributes);
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("units", out var units)
                    && units.ValueKind == JsonValueKind.Object && units.TryGetProperty(key, out var unit) && unit.ValueKind == JsonValueKind.String)
                {
                    return unit.GetString();
                }
            }
            catch (JsonException)
            {
                // Attributes are stored as JSON objects; a damaged one names no unit.
            }
        }
        var name = key.ToLowerInvariant();
        return name switch
        {
            _ when name.EndsWith("hours", StringComparison.Ordinal) => "h",
            _ when name.Contains("temperature", StringComparison.Ordinal) || name.EndsWith("temp", StringComparison.Ordinal) => "°C",
            _ when name.Contains("humidity", StringComparison.Ordinal) || name.Contains("battery", StringComparison.Ordinal) || name.Contains("life", StringComparison.Ordinal) => "%",
            _ when name.Contains("pm25", StringComparison.Ordinal) || name.Contains("pm10", StringComparison.Ordinal) => "µg/m³",
            _ when name.Contains("co2", StringComparison.Ordinal) => "ppm",
            _ when name.EndsWith("rpm", StringComparison.Ordinal) => "rpm",
            _ when name.Contains("power", StringComparison.Ordinal) => "W",
            _ when name.Contains("voltage", StringComparison.Ordinal) => "V",
            _ when name.Contains("pressure", StringComparison.Ordinal) => "hPa",
            _ => null,
        };
    }
}
