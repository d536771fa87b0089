using System.Text.Json;

namespace SmartCrm.Telemetry;

/// <summary>A telemetry or attribute message that cannot be read; <see cref="Place"/> names where, e.g. "[2].values.temperature".</summary>
public sealed class TelemetryFormatException(string place, string problem) : Exception($"{place}: {problem}")
{
    /// <summary>Where in the message: "$" for the whole of it, else the path of the entry or key.</summary>
    public string Place { get; } = place;

    /// <summary>What is wrong there.</summary>
    public string Problem { get; } = problem;
}

/// <summary>
/// Reads ThingsBoard's device payloads: <c>{"key":value,...}</c>, <c>{"ts":ms,"values":{...}}</c>, or an array of those.
/// Values may be numbers, booleans, strings or JSON objects/arrays (kept as JSON text). Everything a device sends is bounded
/// (size, depth, keys, text) and must be storable text (no lone UTF-16 surrogate, no NUL): a message is read whole or refused
/// whole, naming the place, before anything of it is stored.
/// </summary>
public static class TelemetryPayload
{
    public const int MaxPayloadBytes = 256 * 1024;
    public const int MaxDepth = 16;
    public const int MaxKeyLength = 100;
    public const int MaxTextLength = 10_000;
    public const int MaxPointsPerMessage = 10_000;

    /// <summary>Attributes in one message, and in one attribute set of a device twin.</summary>
    public const int MaxAttributes = 500;

    /// <summary>The latest time a "ts" may name (the end of year 9999, the last one a calendar shows).</summary>
    public static readonly long MaxTs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    // Duplicate keys are found below, where the place can be named: the parser's own check stops at the first name it cannot
    // unescape without saying which.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

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

    /// <summary>Attributes: one flat JSON object of names and values (nested objects are values; null removes an attribute).</summary>
    public static JsonElement ParseAttributes(ReadOnlyMemory<byte> payload)
    {
        using var document = ParseDocument(payload);
        CheckAttributes(document.RootElement);
        return document.RootElement.Clone();
    }

    /// <summary>The checks of <see cref="ParseAttributes"/> on a patch that is already parsed (shared attributes from the API).</summary>
    public static void CheckAttributes(JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object) throw new TelemetryFormatException("$", "attributes must be a JSON object of names and values");
        var count = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in patch.EnumerateObject())
        {
            var name = Name(attribute, "$");
            CheckKey(name, "$");
            if (++count > MaxAttributes) throw new TelemetryFormatException(name, $"more than {MaxAttributes} attributes in one message");
            if (!seen.Add(name)) throw new TelemetryFormatException(name, "the attribute appears twice in one message");
            var value = attribute.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    Limit(Text(value, name), name);
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    if (value.GetRawText().Length > MaxTextLength) throw new TelemetryFormatException(name, $"value longer than {MaxTextLength} characters");
                    CheckNested(value, name);
                    break;
            }
        }
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes) throw new TelemetryFormatException("$", $"message longer than {MaxPayloadBytes} bytes");
        try
        {
            return JsonDocument.Parse(payload, Options);
        }
        catch (JsonException e)
        {
            throw new TelemetryFormatException(e.Path is { Length: > 1 } path ? path : "$",
                $"not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }

    }

    private static void ReadEntry(JsonElement entry, string place, long deviceId, TelemetryClock clock, List<TelemetryPoint> points)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw new TelemetryFormatException(Where(place), $"expected an object of keys and values, found {Describe(entry)}");
        var values = entry;
        long ts;
        long seq = 0;
        var valuesPlace = place;
        if (Find(entry, "ts", place, out var tsElement) && Find(entry, "values", place, out var valuesElement))
        {
            if (tsElement.ValueKind != JsonValueKind.Number || !tsElement.TryGetInt64(out ts) || ts < 0 || ts > MaxTs)
            {
                throw new TelemetryFormatException(place + ".ts", $"expected epoch milliseconds from 0 to {MaxTs}, found {Describe(tsElement)}");
            }
            if (valuesElement.ValueKind != JsonValueKind.Object) throw new TelemetryFormatException(place + ".values", $"expected an object of keys and values, found {Describe(valuesElement)}");
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
            if (points.Count >= MaxPointsPerMessage) throw new TelemetryFormatException(at, $"more than {MaxPointsPerMessage} readings in one message");
            if (Repeated(key, points, first, ref many)) throw new TelemetryFormatException(at, "the key appears twice in one entry");
            var value = property.Value;
            var point = value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number) => new TelemetryPoint(deviceId, key, ts, ValueKind.Number, number, null),
                JsonValueKind.True => new TelemetryPoint(deviceId, key, ts, ValueKind.Boolean, 1, null),
                JsonValueKind.False => new TelemetryPoint(deviceId, key, ts, ValueKind.Boolean, 0, null),
                JsonValueKind.String => new TelemetryPoint(deviceId, key, ts, ValueKind.Text, null, Limit(Text(value, at), at)),
                JsonValueKind.Object or JsonValueKind.Array => new TelemetryPoint(deviceId, key, ts, ValueKind.Json, null, Nested(value, at)),
                JsonValueKind.Number => throw new TelemetryFormatException(at, $"the number {Clip(value.GetRawText())} is out of range"),
                _ => throw new TelemetryFormatException(at, $"expected a number, boolean, string or JSON value, found {Describe(value)}"),
            };
            points.Add(point with { Seq = seq });
        }
    }

    /// <summary>A property by name; looking it up unescapes every name of the object, which fails on a lone surrogate.</summary>
    private static bool Find(JsonElement entry, string name, string place, out JsonElement value)
    {
        try
        {
            return entry.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            throw new TelemetryFormatException(Where(place), "a key is not valid text (a lone UTF-16 surrogate such as \\ud800)");
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

    private static void CheckKey(string key, string place)
    {
        if (key.Length == 0 || key.Length > MaxKeyLength) throw new TelemetryFormatException(place, $"key names must have 1 to {MaxKeyLength} characters");
        foreach (var c in key)
        {
            if (char.IsControl(c)) throw new TelemetryFormatException(place, $"key '{Printable(key)}' contains a control character");
        }
    }

    /// <summary>A property name as text; an escaped lone surrogate cannot be (System.Text.Json refuses to unescape it).</summary>
    private static string Name(JsonProperty property, string place)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw new TelemetryFormatException(place, $"a key is not valid text (a lone UTF-16 surrogate in {Clip(property.ToString())})");
        }
    }

    private static string Text(JsonElement value, string place)
    {
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new TelemetryFormatException(place, "the text is not valid (a lone UTF-16 surrogate such as \\ud800)");
        }
        // PostgreSQL's text cannot hold NUL, and no sensor reading needs it.
        if (text.Contains('\0', StringComparison.Ordinal)) throw new TelemetryFormatException(place, "the text contains a NUL character (\\u0000)");
        return text;
    }

    /// <summary>A JSON value kept as its text, once every name and string inside it is valid text.</summary>
    private static string Nested(JsonElement value, string place)
    {
        var raw = value.GetRawText();
        if (raw.Length > MaxTextLength) throw new TelemetryFormatException(place, $"value longer than {MaxTextLength} characters");
        CheckNested(value, place);
        return raw;
    }

    // Depth is bounded by the parser's MaxDepth, so recursion here is too.
    private static void CheckNested(JsonElement value, string place)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                Text(value, place);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray()) CheckNested(item, $"{place}[{index++}]");
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    var name = Name(property, place);
                    if (name.Contains('\0', StringComparison.Ordinal)) throw new TelemetryFormatException(place, "a key contains a NUL character (\\u0000)");
                    CheckNested(property.Value, $"{place}.{name}");
                }
                break;
        }
    }

    private static string Limit(string text, string place) =>
        text.Length <= MaxTextLength ? text : throw new TelemetryFormatException(place, $"value longer than {MaxTextLength} characters");

    private static string Where(string place) => place.Length == 0 ? "$" : place;

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string Printable(string key) => string.Concat(key.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => $"the number {Clip(element.GetRawText())}",
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
