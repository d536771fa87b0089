using System.CommandLine;
using System.Globalization;
using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>
/// `smartcrm import KIND FILE`: imports into the database `serve` uses (safe while it runs: short transactions, WAL on SQLite).
/// Exit status 0 when every row went in, 2 when rows were rejected (or an all-or-nothing import was rolled back), 1 when the file
/// could not be read at all.
/// </summary>
internal static class ImportCommand
{
    public const int RowsRejected = 2;

    public static Command Create(Option<string> data, Option<string?> database,
        Func<ParseResult, Func<IServiceProvider, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase)
    {
        var kind = new Argument<ImportKind>("kind") { Description = "customers, contacts, products, orders, interactions, ratings or baskets" };
        var file = new Argument<FileInfo>("file") { Description = "CSV (any delimiter; UTF-8, Latin-1 or GB18030) or JSON lines" };
        var map = new Option<string?>("--map") { Description = $"Mapping YAML file, or a built-in mapping: {string.Join(", ", ImportMapping.BuiltIn())}" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read, clean and match everything; write nothing" };
        var allOrNothing = new Option<bool>("--all-or-nothing") { Description = "Roll everything back if any row is rejected" };
        var again = new Option<bool>("--again") { Description = "Import a file that a previous run already imported completely" };
        var report = new Option<FileInfo?>("--report") { Description = "Write every finding (line, column, value, action, reason) to this CSV file" };
        var delimiter = new Option<string?>("--delimiter") { Description = "Field delimiter (detected when absent; 'tab' for tabs)" };
        var encoding = new Option<string?>("--encoding") { Description = "utf-8, latin-1, windows-1252 or gb18030 (detected when absent)" };
        var source = new Option<string?>("--source") { Description = "Source system the file comes from (qualifies its ids); the file name when absent" };
        var command = new Command("import", "Import customers, contacts, products, orders, interactions, ratings or baskets from a file")
        {
            kind, file, map, dryRun, allOrNothing, again, report, delimiter, encoding, source, data, database,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ImportMapping mapping;
            try
            {
                mapping = parse.GetValue(map) is { } m ? ImportMapping.Load(m) : new ImportMapping();
                if (parse.GetValue(delimiter) is { } d) mapping.Delimiter = d;
                if (parse.GetValue(encoding) is { } e) mapping.Encoding = e;
                if (parse.GetValue(source) is { } s) mapping.Source = s;
            }
            catch (ImportFileException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 1;
            }
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"error: no file {path.FullName}");
                return 1;
            }
            return await withDatabase(parse, async (services, ct) =>
            {
                var importer = services.GetRequiredService<Importer>();
                var request = new ImportRequest
                {
                    Kind = parse.GetValue(kind), Path = path.FullName, Mapping = mapping,
                    DryRun = parse.GetValue(dryRun), AllOrNothing = parse.GetValue(allOrNothing), Again = parse.GetValue(again),
                };
                var bar = new ProgressBar();
                ImportReport result;
                try
                {
                    result = await importer.RunAsync(request, bar.Show, ct);
                }
                catch (ImportFileException e)
                {
                    await Console.Error.WriteLineAsync("error: " + e.Message);
                    return 1;
                }
                bar.Done();
                await PrintAsync(result, request);
                if (parse.GetValue(report) is { } reportFile)
                {
                    await using var writer = new StreamWriter(reportFile.FullName, false, new System.Text.UTF8Encoding(true));
                    if (result.Run.Id > 0) await ImportReportCsv.WriteAsync(writer, ImportReportCsv.Stored(services.GetRequiredService<CrmDb>(), result.Run.Id), ct);
                    else await ImportReportCsv.WriteAsync(writer, result.Problems);
                    Console.WriteLine($"Report: {reportFile.FullName}");
                }
                return result.Run.Rejected > 0 || result.Run.Status != ImportStatus.Completed ? RowsRejected : 0;
            }, cancellationToken);
        });
        return command;
    }

    private static async Task PrintAsync(ImportReport report, ImportRequest request)
    {
        var run = report.Run;
        var n = CultureInfo.InvariantCulture;
        var what = request.DryRun ? "Dry run (nothing written)" : run.Status == ImportStatus.RolledBack ? "Rolled back (all or nothing; nothing written)" : $"Import {run.Id}";
        Console.WriteLine($"{what}: {run.Kind.ToString().ToLowerInvariant()} from {run.FileName} (source '{run.Source}'){(report.Resumed ? ", resumed after line " + run.LastLine : "")}");
        Console.WriteLine(string.Create(n, $"rows read {run.RowsRead:N0}, imported {run.Imported:N0}, updated {run.Updated:N0}, merged {run.Merged:N0}, rejected {run.Rejected:N0}, altered {run.Altered:N0}, for review {run.ForReview:N0}"));
        foreach (var (step, count) in report.Steps.OrderBy(s => s.Key, StringComparer.Ordinal))
            Console.WriteLine(count > 0 ? string.Create(n, $"  {step}: {count:N0}") : $"  {step}");
        var shown = report.Problems.Take(20).ToList();
        foreach (var p in shown)
            Console.WriteLine($"  line {p.Line}{(p.Column is null ? "" : $", column {p.Column}")}{(p.Value is null ? "" : $", value '{p.Value}'")}: {p.Action.ToString().ToLowerInvariant()}: {p.Reason}");
        if (report.ProblemCount > shown.Count)
            Console.WriteLine(string.Create(n, $"  … {report.ProblemCount - shown.Count:N0} more findings (--report FILE writes them all{(run.Id > 0 ? $"; or GET /api/v1/imports/{run.Id}/problems.csv" : "")})"));
        await Console.Out.FlushAsync();
    }

    /// <summary>A one-line bar on stderr, redrawn in place on a terminal, every 10% otherwise.</summary>
    private sealed class ProgressBar
    {
        private int _shown = -1;

        public void Show(ImportRun run)
        {
            if (run.TotalBytes <= 0) return;
            var percent = (int)Math.Min(100, run.BytesRead * 100 / run.TotalBytes);
            if (Console.IsErrorRedirected)
            {
                if (percent / 10 == _shown / 10) return;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{percent,3}% {run.RowsRead:N0} rows"));
            }
            else
            {
                if (percent == _shown) return;
                var filled = percent * 30 / 100;
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {percent,3}% {run.RowsRead:N0} rows"));
            }
            _shown = percent;
        }

        public void Done()
        {
            if (!Console.IsErrorRedirected && _shown >= 0) Console.Error.WriteLine();
        }
    }
}
