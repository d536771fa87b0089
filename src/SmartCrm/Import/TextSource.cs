using System.Text;
using System.Text.Unicode;

namespace SmartCrm.Import;

/// <summary>A row as the file has it: the line it starts on, its fields, and what made it unreadable (if anything).</summary>
public sealed record RawRow(long Line, string?[] Fields, string? Problem = null);

/// <summary>A file that cannot be read at all (not text, a delimiter that splits nothing, a broken mapping): the message names the line.</summary>
public sealed class ImportFileException(string message, string? field = null) : Exception(message)
{
    /// <summary>The request field at fault when it is not the file (`mapping`, `map`, `source`), for the API's answer.</summary>
    public string? Field { get; } = field;
}

/// <summary>Rows of a CSV or JSON-lines file, read as a stream: never more than one row (and one buffer) in memory.</summary>
public interface IRowSource : IDisposable
{
    /// <summary>Column names: the header's, the JSON keys seen so far, or "1", "2", … for a file without a header.</summary>
    IReadOnlyList<string> Columns { get; }
    bool HasHeader { get; }
    Encoding Encoding { get; }
    char? Delimiter { get; }
    /// <summary>Bytes consumed so far, for progress.</summary>
    long BytesRead { get; }
    IEnumerable<RawRow> Rows();
}

/// <summary>How to read a file; nulls are detected from the file.</summary>
public sealed record ReadOptions
{
    public Encoding? Encoding { get; init; }
    public char? Delimiter { get; init; }
    public bool? Header { get; init; }
    public bool Ragged { get; init; }
    /// <summary>Longest field kept; longer ones reject their row instead of filling memory (a 10 MB cell, an unclosed quote).</summary>
    public int MaxFieldLength { get; init; } = 1 << 20;
    /// <summary>Longest row (all its fields together, or a JSON line), in characters; a longer one is rejected and skipped.</summary>
    public int MaxRowLength { get; init; } = 4 << 20;
    public bool JsonLines { get; init; }
}

/// <summary>Opens a file as rows, finding its encoding, format, delimiter and header when they are not given.</summary>
public static class TextSource
{
    private const int SampleBytes = 64 * 1024;

    /// <summary>Most columns a file may have (header names, fields of a row, distinct keys of JSON lines).</summary>
    public const int MaxColumns = 2000;
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    static TextSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>utf-8, latin-1 (iso-8859-1), windows-1252, gb18030, gbk, utf-16 and other names .NET knows.</summary>
    public static Encoding ParseEncoding(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        try
        {
            return key switch
            {
                "utf8" or "utf-8" => new UTF8Encoding(false),
                "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1,
                "gb18030" or "gbk" or "gb2312" => Encoding.GetEncoding("GB18030"),
                _ => Encoding.GetEncoding(key),
            };
        }
        catch (ArgumentException)
        {
            throw new ImportFileException($"Unknown encoding '{name}': use utf-8, latin-1, windows-1252 or gb18030.");
        }
    }

    public static IRowSource Open(string path, ReadOptions options)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            var sample = new byte[(int)Math.Min(SampleBytes, stream.Length)];
            stream.ReadExactly(sample);
            stream.Position = 0;
            var encoding = options.Encoding ?? DetectEncoding(sample);
            if (options.Encoding is null) RefuseBinary(sample, encoding);
            var text = encoding.GetString(sample);
            var json = options.JsonLines || path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
                || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart('\uFEFF', ' ', '\r', '\n', '\t').StartsWith('{');
            var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, 1 << 16);
            if (json) return new JsonLinesSource(stream, reader, Math.Min(options.MaxRowLength, Math.Max(options.MaxFieldLength, 1 << 20)));
            var delimiter = options.Delimiter ?? DetectDelimiter(text);
            return new DelimitedSource(stream, reader, delimiter, options, text);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A byte-order mark decides; otherwise valid UTF-8 is UTF-8, text whose high bytes come in pairs (Chinese double-byte
    /// characters) is GB18030, and anything else Latin-1, where every byte is some character.
    /// </summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> sample)
    {
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return new UTF8Encoding(false);
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return Encoding.Unicode;
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return Encoding.BigEndianUnicode;
        // The sample may end in the middle of a character: judge it without its last three bytes.
        var judged = sample.Length > 4 && sample.Length == SampleBytes ? sample[..^3] : sample;
        if (Utf8.IsValid(judged)) return new UTF8Encoding(false);
        int high = 0, paired = 0;
        for (var i = 0; i < sample.Length; i++)
        {
            if (sample[i] < 0x80) continue;
            high++;
            if (i + 1 < sample.Length && sample[i] is >= 0x81 and <= 0xFE && sample[i + 1] >= 0x40 && sample[i + 1] != 0x7F && (sample[i + 1] >= 0x80 || high > 0))
            {
                if (sample[i + 1] >= 0x80) { paired += 2; high++; i++; }
            }
        }
        return high > 0 && paired >= high * 0.8 ? Encoding.GetEncoding("GB18030") : Encoding.Latin1;
    }

    private static void RefuseBinary(ReadOnlySpan<byte> sample, Encoding encoding)
    {
        if (encoding is UnicodeEncoding) return;
        var line = 1;
        var controls = 0;
        for (var i = 0; i < sample.Length; i++)
        {
            var b = sample[i];
            if (b == '\n') line++;
            if (b == 0) throw new ImportFileException($"line {line}: byte {i} is NUL; this is not a text file (CSV or JSON lines expected).");
            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t')) controls++;
        }
        if (controls > 16 && controls > sample.Length / 100)
            throw new ImportFileException($"line 1: {controls} control bytes in the first {sample.Length} bytes; this is not a text file (CSV or JSON lines expected).");
    }

    /// <summary>The delimiter that splits the first lines into the same number of fields most often (and into the most fields).</summary>
    public static char DetectDelimiter(string sample)
    {
        var lines = sample.Split('\n').Take(30).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count > 1 && sample.Length >= SampleBytes / 2) lines.RemoveAt(lines.Count - 1); // possibly cut short
        var best = ',';
        var bestScore = -1.0;
        foreach (var d in Delimiters)
        {
            var counts = lines.Select(l => CountOutsideQuotes(l, d)).ToList();
            if (counts.Count == 0 || counts.Max() == 0) continue;
            var mode = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            var score = mode.Key == 0 ? 0 : (double)mode.Count() / counts.Count * 1000 + mode.Key;
            if (score > bestScore) { bestScore = score; best = d; }
        }
        return best;
    }

    public static int CountOutsideQuotes(string line, char delimiter)
    {
        var count = 0;
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (c == delimiter && !quoted) count++;
        }
        return count;
    }

    /// <summary>A control character other than tab and line breaks marks binary garbage in a field.</summary>
    internal static int FirstControl(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < ' ' && c is not ('\t' or '\r' or '\n')) return i;
        }
        return -1;
    }
}
