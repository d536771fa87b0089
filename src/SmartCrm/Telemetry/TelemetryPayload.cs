using System.Text.Json;
using SmartCrm.Devices;
using static SmartCrm.Devices.DevicePayload;

namespace SmartCrm.Telemetry;

/// <summary>
/// Reads ThingsBoard's device payloads: <c>{"key":value,...}</c>, <c>{"ts":ms,"values":{...}}</c>, or an array of those.
/// Values may be numbers, booleans, strings or JSON objects/arrays (kept as JSON text). Everything a device sends is bounded
/// (see <see cref="DevicePayload"/>) and must be storable text (no lone UTF-16 surrogate, no NUL): a message is read whole or refused
/// whole, naming the place, before anything of it is stored.
/// </summary>
public static class TelemetryPayload
{
    public const int MaxPointsPerMessage = 10_000;

    /// <summary>The latest time a "ts" may name (the end of year 9999, the last one a calendar shows).</summary>
    public static readonly long MaxTs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The points of one message from <paramref name="deviceId"/>; each entry without a "ts" takes the next time of <paramref name="clock"/>.</summary>
    public static List<TelemetryPoint> Parse(ReadOnlyMemory<byte> payload, long deviceId, TelemetryClock clock)
    {
        using var document = ParseDocument(payload);
        var points = new List<TelemetryPoint>();
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var entry in root.EnumerateArray()) ReadEntry(entry, $"[{index++}]", deviceId, clock, points);
        }
        else
        {
            ReadEntry(root, "", deviceId, clock, points);
        }
        return points;
    }

    private static void ReadEntry(JsonElement entry, string place, long deviceId, TelemetryClock clock, List<TelemetryPoint> points)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw new DevicePayloadException(Where(place), $"expected an object of keys and values, found {Describe(entry)}");
        var values = entry;
        long ts;
        long seq = 0;
        var valuesPlace = place;
        if (Find(entry, "ts", place, out var tsElement) && Find(entry, "values", place, out var valuesElement))
        {
            if (tsElement.ValueKind != JsonValueKind.Number || !tsElement.TryGetInt64(out ts) || ts < 0 || ts > MaxTs)
            {
                throw new DevicePayloadException(place + ".ts", $"expected epoch milliseconds from 0 to {MaxTs}, found {Describe(tsElement)}");
            }
            if (valuesElement.ValueKind != JsonValueKind.Object) throw new DevicePayloadException(place + ".values", $"expected an object of keys and values, found {Describe(valuesElement)}");
            values = valuesElement;
            valuesPlace = place + ".values";
        }
        else
        {
            (ts, seq) = clock.Next();
        }
        var first = points.Count;
        HashSet<string>? many = null;
        foreach (var property in values.EnumerateObject())
        {
            var key = Name(property, Where(valuesPlace));
            var at = valuesPlace.Length == 0 ? key : $"{valuesPlace}.{key}";
            CheckKey(key, Where(valuesPlace));
            if (points.Count >= MaxPointsPerMessage) throw new DevicePayloadException(at, $"more than {MaxPointsPerMessage} readings in one message");
            if (Repeated(key, points, first, ref many)) throw new DevicePayloadException(at, "the key appears twice in one entry");
            var value = property.Value;
            var point = value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number) => new TelemetryPoint(deviceId, key, ts, ValueKind.Number, number, null),
                JsonValueKind.True => new TelemetryPoint(deviceId, key, ts, ValueKind.Boolean, 1, null),
                JsonValueKind.False => new TelemetryPoint(deviceId, key, ts, ValueKind.Boolean, 0, null),
                JsonValueKind.String => new TelemetryPoint(deviceId, key, ts, ValueKind.Text, null, Limit(Text(value, at), at)),
                JsonValueKind.Object or JsonValueKind.Array => new TelemetryPoint(deviceId, key, ts, ValueKind.Json, null, Nested(value, at)),
                JsonValueKind.Number => throw new DevicePayloadException(at, $"the number {Clip(value.GetRawText())} is out of range"),
                _ => throw new DevicePayloadException(at, $"expected a number, boolean, string or JSON value, found {Describe(value)}"),
            };
            points.Add(point with { Seq = seq });
        }
    }

    /// <summary>Whether an entry named <paramref name="key"/> already: a scan for the usual few keys, a set past that.</summary>
    private static bool Repeated(string key, List<TelemetryPoint> points, int first, ref HashSet<string>? many)
    {
        if (many is not null) return !many.Add(key);
        for (var i = first; i < points.Count; i++)
        {
            if (string.Equals(points[i].Key, key, StringComparison.Ordinal)) return true;
        }
        if (points.Count - first < 16) return false;
        many = new HashSet<string>(StringComparer.Ordinal);
        for (var i = first; i < points.Count; i++) many.Add(points[i].Key);
        return !many.Add(key);
    }

}
