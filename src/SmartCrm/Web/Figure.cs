using System.Globalization;
using System.Text;

namespace SmartCrm.Web;

/// <summary>
/// The numbers behind one chart: a row per category (a stage, a month, a reading interval) with a value per series. The chart
/// draws them, the table under it shows them and its CSV link serves them, so the three cannot disagree.
/// </summary>
/// <param name="Name">Stable name, used in the CSV's address and file name ("pipeline").</param>
/// <param name="Category">Header of the category column in the CSV ("stage", "month", "time").</param>
/// <param name="Series">Series names as programs read them ("amount", "critical"); the page translates them.</param>
public sealed record Figure(string Name, string Category, IReadOnlyList<string> Series, IReadOnlyList<Figure.Row> Rows)
{
    /// <summary>
    /// One category: <paramref name="Key"/> as programs read it (an enum name, "2026-03", "2026-03-04 14:05"), and, for a
    /// time series, <paramref name="At"/>: the interval's start in the user's time zone, so the chart spaces points by time.
    /// </summary>
    public sealed record Row(string Key, IReadOnlyList<double> Values, DateTime? At = null);

    public bool IsTimeSeries => Rows.Count > 0 && Rows.All(r => r.At is not null);

    public bool IsEmpty => Rows.Count == 0 || Rows.All(r => r.Values.All(v => v == 0));

    /// <summary>RFC 4180 text, numbers in invariant culture, one header line.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder();
        csv.Append(Text(Category));
        foreach (var series in Series) csv.Append(',').Append(Text(series));
        csv.Append("\r\n");
        foreach (var row in Rows)
        {
            csv.Append(Text(row.Key));
            foreach (var value in row.Values) csv.Append(',').Append(value.ToString("0.######", CultureInfo.InvariantCulture));
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    // Names come from devices too (telemetry keys): a cell a spreadsheet would run as a formula is written as text.
    private static string Text(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
