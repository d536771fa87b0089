using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>The per-row report as CSV (line, column, value, action, reason), safe to open in a spreadsheet.</summary>
public static class ImportReportCsv
{
    public const string Header = "line,column,value,action,reason";

    public static async Task WriteAsync(TextWriter writer, IAsyncEnumerable<ImportProblem> problems, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(Header);
        await foreach (var p in problems.WithCancellation(cancellationToken)) await writer.WriteLineAsync(Line(p));
    }

    public static async Task WriteAsync(TextWriter writer, IEnumerable<ImportProblem> problems)
    {
        await writer.WriteLineAsync(Header);
        foreach (var p in problems) await writer.WriteLineAsync(Line(p));
    }

    /// <summary>All findings of a stored run, read as a stream.</summary>
    public static IAsyncEnumerable<ImportProblem> Stored(CrmDb db, long runId) =>
        db.ImportProblems.AsNoTracking().Where(p => p.RunId == runId).OrderBy(p => p.Line).ThenBy(p => p.Id).AsAsyncEnumerable();

    private static string Line(ImportProblem p) => string.Join(',',
        p.Line.ToString(CultureInfo.InvariantCulture), Cleaning.CsvField(p.Column), Cleaning.CsvField(p.Value), p.Action.ToString(), Cleaning.CsvField(p.Reason));
}
