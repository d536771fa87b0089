using System.Text;

namespace SmartCrm.Records;

/// <summary>
/// Reads a whole CSV file into memory: comma-separated (or another delimiter), RFC 4180 quoting, first line the header. For the
/// evaluation data sets and the training files of failure models (Alarms), which an operator names in the configuration: the
/// callers check the columns and values and name the file, line and column of what they cannot use. Not for customer
/// data: the importer has its own streaming, bounded reader with a per-row error report.
/// </summary>
internal static class CsvRows
{
    public static (string[] Header, List<string[]> Rows) Read(string path, Encoding? encoding = null, char delimiter = ',')
    {
        using var reader = new StreamReader(path, encoding ?? Encoding.UTF8);
        var all = new List<string[]>();
        foreach (var row in Parse(reader, delimiter)) all.Add(row);
        if (all.Count == 0) throw new InvalidDataException($"{path}: empty file");
        var header = all[0];
        all.RemoveAt(0);
        return (header, all);
    }

    public static IEnumerable<string[]> Parse(TextReader reader, char delimiter = ',')
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            any = true;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { field.Append('"'); reader.Read(); }
                    else inQuotes = false;
                }
                else field.Append(ch);
            }
            else if (ch == '"') inQuotes = true;
            else if (ch == delimiter) { fields.Add(field.ToString()); field.Clear(); }
            else if (ch == '\n' || ch == '\r')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                fields.Add(field.ToString());
                field.Clear();
                if (!(fields.Count == 1 && fields[0].Length == 0)) yield return fields.ToArray();
                fields.Clear();
                any = false;
            }
            else field.Append(ch);
        }
        if (any)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
