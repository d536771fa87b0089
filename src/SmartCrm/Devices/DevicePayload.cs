using System.Text.Json;

namespace SmartCrm.Devices;

/// <summary>
/// The bounds every device message obeys, telemetry and attributes alike, and the reading of attribute messages. Everything a
/// device sends is bounded (size, depth, keys, text) and must be storable text (no lone UTF-16 surrogate, no NUL): a message is
/// read whole or refused whole, naming the place, before anything of it is stored.
/// </summary>
public static class DevicePayload
{
    public const int MaxPayloadBytes = 256 * 1024;
    public const int MaxDepth = 16;
    public const int MaxKeyLength = 100;
    public const int MaxTextLength = 10_000;

    /// <summary>Attributes in one message, and in one attribute set of a device twin.</summary>
    public const int MaxAttributes = 500;

    // Duplicate keys are found by the readers, where the place can be named: the parser's own check stops at the first name it
    // cannot unescape without saying which.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

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
        if (patch.ValueKind != JsonValueKind.Object) throw new DevicePayloadException("$", "attributes must be a JSON object of names and values");
        var count = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in patch.EnumerateObject())
        {
            var name = Name(attribute, "$");
            CheckKey(name, "$");
            if (++count > MaxAttributes) throw new DevicePayloadException(name, $"more than {MaxAttributes} attributes in one message");
            if (!seen.Add(name)) throw new DevicePayloadException(name, "the attribute appears twice in one message");
            var value = attribute.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    Limit(Text(value, name), name);
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    if (value.GetRawText().Length > MaxTextLength) throw new DevicePayloadException(name, $"value longer than {MaxTextLength} characters");
                    CheckNested(value, name);
                    break;
            }
        }
    }

    internal static JsonDocument ParseDocument(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes) throw new DevicePayloadException("$", $"message longer than {MaxPayloadBytes} bytes");
        try
        {
            return JsonDocument.Parse(payload, Options);
        }
        catch (JsonException e)
        {
            throw new DevicePayloadException(e.Path is { Length: > 1 } path ? path : "$",
                $"not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }

    }

    /// <summary>A property by name; looking it up unescapes every name of the object, which fails on a lone surrogate.</summary>
    internal static bool Find(JsonElement entry, string name, string place, out JsonElement value)
    {
        try
        {
            return entry.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            throw new DevicePayloadException(Where(place), "a key is not valid text (a lone UTF-16 surrogate such as \\ud800)");
        }
    }

    internal static void CheckKey(string key, string place)
    {
        if (key.Length == 0 || key.Length > MaxKeyLength) throw new DevicePayloadException(place, $"key names must have 1 to {MaxKeyLength} characters");
        foreach (var c in key)
        {
            if (char.IsControl(c)) throw new DevicePayloadException(place, $"key '{Printable(key)}' contains a control character");
        }
    }

    /// <summary>A property name as text; an escaped lone surrogate cannot be (System.Text.Json refuses to unescape it).</summary>
    internal static string Name(JsonProperty property, string place)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw new DevicePayloadException(place, $"a key is not valid text (a lone UTF-16 surrogate in {Clip(property.ToString())})");
        }
    }

    internal static string Text(JsonElement value, string place)
    {
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new DevicePayloadException(place, "the text is not valid (a lone UTF-16 surrogate such as \\ud800)");
        }
        // PostgreSQL's text cannot hold NUL, and no sensor reading needs it.
        if (text.Contains('\0', StringComparison.Ordinal)) throw new DevicePayloadException(place, "the text contains a NUL character (\\u0000)");
        return text;
    }

    /// <summary>A JSON value kept as its text, once every name and string inside it is valid text.</summary>
    internal static string Nested(JsonElement value, string place)
    {
        var raw = value.GetRawText();
        if (raw.Length > MaxTextLength) throw new DevicePayloadException(place, $"value longer than {MaxTextLength} characters");
        CheckNested(value, place);
        return raw;
    }

    // Depth is bounded by the parser's MaxDepth, so recursion here is too.
    internal static void CheckNested(JsonElement value, string place)
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
                    if (name.Contains('\0', StringComparison.Ordinal)) throw new DevicePayloadException(place, "a key contains a NUL character (\\u0000)");
                    CheckNested(property.Value, $"{place}.{name}");
                }
                break;
        }
    }

    internal static string Limit(string text, string place) =>
        text.Length <= MaxTextLength ? text : throw new DevicePayloadException(place, $"value longer than {MaxTextLength} characters");

    internal static string Where(string place) => place.Length == 0 ? "$" : place;

    internal static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    internal static string Printable(string key) => string.Concat(key.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    internal static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => $"the number {Clip(element.GetRawText())}",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
