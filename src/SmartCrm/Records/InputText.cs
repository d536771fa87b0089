using System.Globalization;
using System.Text.Json;

namespace SmartCrm.Records;

/// <summary>
/// Text a client sent that no part of the program can keep: a NUL (PostgreSQL refuses it in text, SQLite's full-text query
/// ends at it), other control characters, or half a surrogate pair (System.Text.Json reads "\ud800" into a string that no
/// UTF-8 encoder, database driver or JSON writer takes). Checked where input enters, so the answer names the field.
/// </summary>
public static class InputText
{
    /// <summary>Why <paramref name="value"/> cannot be stored, or null when it can. Tabs and line breaks are text.</summary>
    public static string? Problem(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < ' ')
            {
                if (c is '\t' or '\r' or '\n') continue;
                return string.Create(CultureInfo.InvariantCulture, $"Contains the control character U+{(int)c:X4} at position {i + 1}.");
            }
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            return string.Create(CultureInfo.InvariantCulture, $"Contains half of a surrogate pair (U+{(int)c:X4}) at position {i + 1}: not valid Unicode text.");
        }
        return null;
    }

    /// <summary>At most <paramref name="max"/> characters, never ending in the first half of a surrogate pair.</summary>
    public static string Cut(string value, int max)
    {
        if (value.Length <= max) return value;
        var end = max > 0 && char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return value[..end];
    }

    /// <summary>The text with what <see cref="Problem"/> refuses replaced by U+FFFD, for names that are only shown (an upload's file name).</summary>
    public static string Printable(string value)
    {
        if (Problem(value) is null) return value;
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c < ' ' && c is not ('\t' or '\r' or '\n')) chars[i] = '\uFFFD';
            else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(c)) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>Largest JSON document a client may store in one field (attributes, RPC parameters), in characters of JSON text.</summary>
    public const int MaxJsonLength = 64 * 1024;

    /// <summary>Deepest nesting of such a document.</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Longest string (or property name) in such a document.</summary>
    public const int MaxJsonString = 4096;

    /// <summary>
    /// Checks a JSON value a client sent as one field: its size, depth, and every string and property name in it. Errors are
    /// keyed by their path below <paramref name="field"/> (`serverAttributes.mode`, `params.list[2]`).
    /// </summary>
    public static void CheckJson(JsonElement value, string field, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind is JsonValueKind.Undefined) return;
        if (value.GetRawText().Length > MaxJsonLength)
        {
            errors[Field(field)] = [string.Create(CultureInfo.InvariantCulture, $"Longer than {MaxJsonLength:N0} characters of JSON.")];
            return;
        }
        Walk(value, field, 0, errors);
    }

    private static string Field(string field) => field.Length == 0 ? "$" : field;

    private static void Walk(JsonElement value, string path, int depth, Dictionary<string, string[]> errors)
    {
        if (depth > MaxJsonDepth)
        {
            errors[Field(path)] = [string.Create(CultureInfo.InvariantCulture, $"Nested deeper than {MaxJsonDepth} levels.")];
            return;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors[Field(path)] = ["A property name is not valid Unicode text (half of a surrogate pair)."];
                        continue;
                    }
                    var below = path.Length == 0 ? name : path + "." + name;
                    if (Problem(name) is { } bad)
                    {
                        errors[Field(path)] = ["A property name: " + bad];
                        continue;
                    }
                    if (name.Length > MaxJsonString)
                    {
                        errors[Field(path)] = [string.Create(CultureInfo.InvariantCulture, $"A property name is longer than {MaxJsonString:N0} characters.")];
                        continue;
                    }
                    Walk(property.Value, below, depth + 1, errors);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray()) Walk(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), depth + 1, errors);
                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    errors[Field(path)] = ["Not valid Unicode text (half of a surrogate pair)."];
                    break;
                }
                if (Problem(text) is { } problem) errors[Field(path)] = [problem];
                else if (text.Length > MaxJsonString) errors[Field(path)] = [string.Create(CultureInfo.InvariantCulture, $"Longer than {MaxJsonString:N0} characters.")];
                break;
        }
    }
}
