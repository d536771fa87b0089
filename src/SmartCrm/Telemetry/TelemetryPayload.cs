using System.Text.Json;

namespace SmartCrm.Telemetry;

/// <summary>A telemetry or attribute message that cannot be read; the message names the place, e.g. "[2].values.temperature".</summary>
public sealed class TelemetryFormatException(string message) : Exception(message);

/// <summary>
/// Reads ThingsBoard's device payloads: <c>{"key":value,...}</c>, <c>{"ts":ms,"values":{...}}</c>, or an array of those.
/// Values may be numbers, booleans, strings or JSON objects/arrays (kept as JSON text).
/// </summary>
public static class TelemetryPayload
{
    public const int MaxKeyLength = 100;
    public const int MaxTextLength = 10_000;
    public const int MaxPointsPerMessage = 10_000;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    /// <summary>The points of one message from <paramref name="deviceId"/>; readings without a "ts" take <paramref name="receivedAt"/>.</summary>
    public static List<TelemetryPoint> Parse(ReadOnlyMemory<byte> payload, long deviceId, long receivedAt)
    {
        using var document = ParseDocument(payload);
        var points = new List<TelemetryPoint>();
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var entry in root.EnumerateArray()) ReadEntry(entry, $"[{index++}]", deviceId, receivedAt, points);
        }
        else
        {
            ReadEntry(root, "", deviceId, receivedAt, points);
        }
        return points;
    }

    /// <summary>Attributes: one flat JSON object of names and values (nested objects are values).</summary>
    public static JsonElement ParseAttributes(ReadOnlyMemory<byte> payload)
    {
        using var document = ParseDocument(payload);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new TelemetryFormatException("$: attributes must be a JSON object of names and values");
        foreach (var attribute in document.RootElement.EnumerateObject()) CheckKey(attribute.Name, "$");
        return document.RootElement.Clone();
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return JsonDocument.Parse(payload, Options);
        }
        catch (JsonException e)
        {
            throw new TelemetryFormatException($"not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }
    }

    private static void ReadEntry(JsonElement entry, string place, long deviceId, long receivedAt, List<TelemetryPoint> points)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw new TelemetryFormatException($"{Where(place)}: expected an object of keys and values, found {Describe(entry)}");
        var values = entry;
        var ts = receivedAt;
        var valuesPlace = place;
        if (entry.TryGetProperty("ts", out var tsElement) && entry.TryGetProperty("values", out var valuesElement))
        {
            if (tsElement.ValueKind != JsonValueKind.Number || !tsElement.TryGetInt64(out ts) || ts < 0)
            {
                throw new TelemetryFormatException($"{place}.ts: expected epoch milliseconds, found {Describe(tsElement)}");
            }
            if (valuesElement.ValueKind != JsonValueKind.Object) throw new TelemetryFormatException($"{place}.values: expected an object of keys and values, found {Describe(valuesElement)}");
            values = valuesElement;
            valuesPlace = place + ".values";
        }
        foreach (var property in values.EnumerateObject())
        {
            var key = property.Name;
            var at = valuesPlace.Length == 0 ? key : $"{valuesPlace}.{key}";
            CheckKey(key, Where(valuesPlace));
            if (points.Count >= MaxPointsPerMessage) throw new TelemetryFormatException($"{at}: more than {MaxPointsPerMessage} readings in one message");
            var value = property.Value;
            points.Add(value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number) => new TelemetryPoint(deviceId, key, ts, ValueKind.Number, number, null),
                JsonValueKind.True => new TelemetryPoint(deviceId, key, ts, ValueKind.Boolean, 1, null),
                JsonValueKind.False => new TelemetryPoint(deviceId, key, ts, ValueKind.Boolean, 0, null),
                JsonValueKind.String => new TelemetryPoint(deviceId, key, ts, ValueKind.Text, null, Limit(value.GetString()!, at)),
                JsonValueKind.Object or JsonValueKind.Array => new TelemetryPoint(deviceId, key, ts, ValueKind.Json, null, Limit(value.GetRawText(), at)),
                _ => throw new TelemetryFormatException($"{at}: expected a number, boolean, string or JSON value, found {Describe(value)}"),
            });
        }
    }

    private static void CheckKey(string key, string place)
    {
        if (key.Length == 0 || key.Length > MaxKeyLength) throw new TelemetryFormatException($"{place}: key names must have 1 to {MaxKeyLength} characters");
        foreach (var c in key)
        {
            if (char.IsControl(c)) throw new TelemetryFormatException($"{place}: key '{key}' contains a control character");
        }
    }

    private static string Limit(string text, string place) =>
        text.Length <= MaxTextLength ? text : throw new TelemetryFormatException($"{place}: value longer than {MaxTextLength} characters");

    private static string Where(string place) => place.Length == 0 ? "$" : place;

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
