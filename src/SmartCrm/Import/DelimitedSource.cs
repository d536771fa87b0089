using System.Globalization;
using System.Text;

namespace SmartCrm.Import;

/// <summary>
/// RFC 4180 CSV with any one-character delimiter: quoted fields with doubled quotes and line breaks inside, CRLF or LF, a BOM.
/// A field longer than the limit is dropped (its row rejected) while reading goes on, so one huge cell never fills memory.
/// </summary>
internal sealed class DelimitedSource : IRowSource
{
    private readonly Stream _stream;
    private readonly StreamReader _reader;
    private readonly char _delimiter;
    private readonly ReadOptions _options;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _field = new();
    private readonly List<string?> _fields = [];
    private readonly List<string> _columns = [];
    private int _position;
    private int _rowLength;
    private bool _rowTooLong;
    private bool _tooManyFields;
    private int _length;
    private long _line = 1;
    private bool _headerRead;

    public DelimitedSource(Stream stream, StreamReader reader, char delimiter, ReadOptions options, string sample)
    {
        _stream = stream;
        _reader = reader;
        _delimiter = delimiter;
        _options = options;
        Encoding = reader.CurrentEncoding;
        ReadHeader(sample);
    }

    public IReadOnlyList<string> Columns => _columns;
    public bool HasHeader { get; private set; }
    public Encoding Encoding { get; }
    public char? Delimiter => _delimiter;
    public long BytesRead => _stream.CanSeek ? _stream.Position : 0;

    private RawRow? _first;

    private void ReadHeader(string sample)
    {
        var first = Next();
        if (first is null) return;
        var header = _options.Header ?? LooksLikeHeader(first.Fields);
        if (first.Problem is not null && _tooManyFields)
            throw new ImportFileException($"line 1: more than {TextSource.MaxColumns:N0} columns.");
        if (header && first.Problem is null)
        {
            HasHeader = true;
            for (var i = 0; i < first.Fields.Length; i++)
            {
                var name = first.Fields[i]?.Trim().TrimStart('\uFEFF');
                if (name is not null && (Records.InputText.Problem(name) is not null || name.Length > 200))
                    throw new ImportFileException($"line 1: the name of column {i + 1} is not text or longer than 200 characters; is this a CSV file with a header?");
                _columns.Add(string.IsNullOrEmpty(name) ? (i + 1).ToString(CultureInfo.InvariantCulture) : name);
            }
            if (_columns.Count == 1 && !_options.Ragged)
            {
                // One column is legal, but usually means the file uses another delimiter than the one given.
                foreach (var other in new[] { ',', ';', '\t', '|' })
                {
                    if (other == _delimiter) continue;
                    var count = TextSource.CountOutsideQuotes(sample.Split('\n')[0], other);
                    if (count > 0)
                        throw new ImportFileException($"line 1: the header is a single column when split by {Describe(_delimiter)}, but {Describe(other)} splits it into {count + 1}; the file's delimiter is probably {Describe(other)}.");
                }
            }
        }
        else
        {
            _first = first;
            for (var i = 0; i < first.Fields.Length; i++) _columns.Add((i + 1).ToString(CultureInfo.InvariantCulture));
        }
        _headerRead = true;
    }

    internal static string Describe(char delimiter) => delimiter switch { '\t' => "tab", ',' => "',' (comma)", ';' => "';' (semicolon)", '|' => "'|' (bar)", _ => $"'{delimiter}'" };

    /// <summary>A header has no empty names and no numbers; data rows usually have at least one number.</summary>
    private static bool LooksLikeHeader(string?[] fields) =>
        fields.Length > 0 && fields.All(f => !string.IsNullOrWhiteSpace(f) && !double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    public IEnumerable<RawRow> Rows()
    {
        if (!_headerRead) yield break;
        if (_first is not null)
        {
            yield return Check(_first);
            _first = null;
        }
        while (Next() is { } row) yield return Check(row);
    }

    private RawRow Check(RawRow row)
    {
        if (row.Problem is not null || _options.Ragged || _columns.Count == 0) return row;
        if (row.Fields.Length != _columns.Count)
        {
            var hint = row.Fields.Length == 1 && _columns.Count > 1 ? $"; is the delimiter {Describe(_delimiter)} right?" : "";
            return row with { Problem = $"expected {_columns.Count} fields, found {row.Fields.Length}{hint}" };
        }
        return row;
    }

    private bool Fill()
    {
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }

    /// <summary>The next record, or null at the end of the file. Empty lines are skipped.</summary>
    private RawRow? Next()
    {
        while (true)
        {
            if (_position >= _length && !Fill()) return null;
            var c = _buffer[_position];
            if (c == '\n') { _position++; _line++; continue; }
            if (c == '\r') { _position++; continue; }
            break;
        }
        var start = _line;
        _fields.Clear();
        string? problem = null;
        var quoted = false;
        var wasQuoted = false;
        var tooLong = false;
        var quoteLine = 0L;
        _field.Clear();
        _rowLength = 0;
        _rowTooLong = false;
        _tooManyFields = false;
        while (true)
        {
            if (_position >= _length && !Fill())
            {
                if (quoted) problem ??= $"a quote opened on line {quoteLine} is never closed";
                EndField(ref tooLong, wasQuoted, ref problem);
                break;
            }
            var c = _buffer[_position++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (_position >= _length && !Fill()) { quoted = false; continue; }
                    if (_buffer[_position] == '"') { _position++; Append('"', ref tooLong); }
                    else quoted = false;
                    continue;
                }
                if (c == '\n') _line++;
                Append(c, ref tooLong);
                continue;
            }
            if (c == _delimiter)
            {
                EndField(ref tooLong, wasQuoted, ref problem);
                wasQuoted = false;
                continue;
            }
            if (c == '\n')
            {
                _line++;
                EndField(ref tooLong, wasQuoted, ref problem);
                break;
            }
            if (c == '\r')
            {
                if (_position >= _length) Fill();
                if (_position < _length && _buffer[_position] == '\n') continue;
                Append(c, ref tooLong);
                continue;
            }
            if (c == '"' && _field.Length == 0 && !wasQuoted)
            {
                quoted = true;
                wasQuoted = true;
                quoteLine = _line;
                continue;
            }
            Append(c, ref tooLong);
        }
        if (_rowTooLong) problem = $"the row is longer than {_options.MaxRowLength:N0} characters";
        else if (_tooManyFields) problem = $"the row has more than {TextSource.MaxColumns:N0} fields";
        if (problem is null && _line - start > 1000)
            problem = $"the row spans {_line - start} lines; a quote opened on line {start} may be unclosed";
        return new RawRow(start, [.. _fields], problem);
    }

    private void Append(char c, ref bool tooLong)
    {
        if (_field.Length >= _options.MaxFieldLength) { tooLong = true; return; }
        if (++_rowLength > _options.MaxRowLength) { _rowTooLong = true; return; }
        _field.Append(c);
    }

    private void EndField(ref bool tooLong, bool wasQuoted, ref string? problem)
    {
        if (_rowTooLong || _fields.Count >= TextSource.MaxColumns)
        {
            // The rest of the row is read and dropped: it is rejected as a whole.
            _tooManyFields |= !_rowTooLong;
            tooLong = false;
            _field.Clear();
            return;
        }
        if (tooLong)
        {
            problem ??= $"field {_fields.Count + 1} is longer than {_options.MaxFieldLength:N0} characters";
            _fields.Add(null);
        }
        else
        {
            _fields.Add(_field.Length == 0 && !wasQuoted ? "" : _field.ToString());
        }
        tooLong = false;
        _field.Clear();
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
