using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartCrm.Import;

/// <summary>
/// One JSON object per line. Keys become columns in the order they are first seen; nested objects and arrays are kept as
/// JSON text (an order's "lines"). A line that is not a JSON object is a rejected row, not the end of the file.
/// </summary>
internal sealed class JsonLinesSource : IRowSource
{
    private readonly Stream _stream;
    private readonly StreamReader _reader;
    private readonly int _maxLength;
    private readonly List<string> _columns = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly StringBuilder _line = new();
    private readonly List<RawRow> _peeked = [];
    private long _lineNumber;

    public JsonLinesSource(Stream stream, StreamReader reader, int maxLength)
    {
        _stream = stream;
        _reader = reader;
        _maxLength = maxLength;
        Encoding = reader.CurrentEncoding;
        // The columns come from the first object, so a mapping can be made before any row is imported.
        if (Next() is { } first) _peeked.Add(first);
    }

    public IReadOnlyList<string> Columns => _columns;
    public bool HasHeader => true;
    public Encoding Encoding { get; }
    public char? Delimiter => null;
    public long BytesRead => _stream.CanSeek ? _stream.Position : 0;

    public IEnumerable<RawRow> Rows()
    {
        foreach (var row in _peeked) yield return Pad(row);
        _peeked.Clear();
        while (Next() is { } row) yield return Pad(row);
    }

    private RawRow Pad(RawRow row) => row.Fields.Length == _columns.Count ? row : row with { Fields = [.. row.Fields, .. new string?[_columns.Count - row.Fields.Length]] };

    private RawRow? Next()
    {
        while (true)
        {
            var (text, tooLong, end) = ReadLine();
            if (text is null && !tooLong && end) return null;
            _lineNumber++;
            if (tooLong) return new RawRow(_lineNumber, [], $"the line is longer than {_maxLength:N0} characters");
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object) return new RawRow(_lineNumber, [], "the line is not a JSON object");
                var fields = new string?[Math.Max(_columns.Count, 8)];
                var used = 0;
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (Records.InputText.Problem(property.Name) is not null || property.Name.Length > 200)
                        return new RawRow(_lineNumber, [], "a key is not text or longer than 200 characters");
                    if (!_index.TryGetValue(property.Name, out var column))
                    {
                        if (_columns.Count >= TextSource.MaxColumns) return new RawRow(_lineNumber, [], $"more than {TextSource.MaxColumns:N0} different keys in the file");
                        column = _columns.Count;
                        _index[property.Name] = column;
                        _columns.Add(property.Name);
                    }
                    if (column >= fields.Length) Array.Resize(ref fields, Math.Max(column + 1, fields.Length * 2));
                    fields[column] = property.Value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.String => Text(property.Value),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => property.Value.GetRawText(),
                    };
                    used = Math.Max(used, column + 1);
                }
                return new RawRow(_lineNumber, fields[..Math.Max(used, 0)]);
            }
            catch (InvalidTextException e)
            {
                return new RawRow(_lineNumber, [], e.Message);
            }
            catch (InvalidOperationException)
            {
                // A key with half a surrogate pair: the reader refuses to make a string of it.
                return new RawRow(_lineNumber, [], "a key is not valid Unicode text (half of a surrogate pair)");
            }
            catch (JsonException e)
            {
                return new RawRow(_lineNumber, [], "not valid JSON: " + e.Message.Split('.')[0] + (e.BytePositionInLine is { } at ? $" at character {at.ToString(CultureInfo.InvariantCulture)}" : ""));
            }
        }
    }

    /// <summary>A string value, unless it holds what no store can keep ("\u0000", half a surrogate pair): then the row is rejected.</summary>
    private static string Text(JsonElement value)
    {
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidTextException("a value is not valid Unicode text (half of a surrogate pair)");
        }
        return Records.InputText.Problem(text) is { } problem ? throw new InvalidTextException("a value is not text: " + char.ToLowerInvariant(problem[0]) + problem[1..]) : text;
    }

    private sealed class InvalidTextException(string message) : Exception(message);

    private (string? Text, bool TooLong, bool End) ReadLine()
    {
        _line.Clear();
        var tooLong = false;
        var any = false;
        while (true)
        {
            var c = _reader.Read();
            if (c < 0) return (any ? (tooLong ? null : _line.ToString()) : null, tooLong, true);
            any = true;
            if (c == '\n') return (tooLong ? null : _line.ToString(), tooLong, false);
            if (_line.Length >= _maxLength) { tooLong = true; continue; }
            _line.Append((char)c);
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
