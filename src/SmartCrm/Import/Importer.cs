using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>What to import and how.</summary>
public sealed record ImportRequest
{
    public required ImportKind Kind { get; init; }
    /// <summary>The file on disk (uploads are saved first): it is read twice, statistics then rows, and never held in memory.</summary>
    public required string Path { get; init; }
    /// <summary>The name the user knows the file by (an upload's original name).</summary>
    public string? FileName { get; init; }
    public ImportMapping Mapping { get; init; } = new();
    /// <summary>Read, clean and match everything, write nothing.</summary>
    public bool DryRun { get; init; }
    /// <summary>One transaction: any rejected row rolls the whole import back.</summary>
    public bool AllOrNothing { get; init; }
    /// <summary>Import a file again although a run completed it (its rows would be added twice where records have no key).</summary>
    public bool Again { get; init; }
    public int BatchSize { get; init; } = 10_000;
}

/// <summary>The outcome of a run: counts, the cleaning steps taken, the columns used, and the findings (all of them in the database, the first ones here).</summary>
public sealed class ImportReport
{
    public const int KeptProblems = 10_000;

    public required ImportRun Run { get; init; }
    public List<ImportProblem> Problems { get; } = [];
    public long ProblemCount { get; set; }
    public Dictionary<string, long> Steps { get; } = [];
    public List<ColumnUse> Columns { get; } = [];
    public bool Resumed { get; set; }
}

public sealed record ColumnUse(string Column, string Field);

/// <summary>
/// The importer: streams a file through the mapping and the cleaning into the database in batches (one transaction each, which
/// also records how far the run got, so a crashed run resumes after its last committed row and no row is written twice).
/// </summary>
public sealed class Importer(CrmDb db, Actor actor, TimeProvider clock, ILogger<Importer> logger)
{
    public async Task<ImportReport> RunAsync(ImportRequest request, Action<ImportRun>? progress = null, CancellationToken cancellationToken = default)
    {
        var mapping = request.Mapping;
        var fileName = request.FileName ?? Path.GetFileName(request.Path);
        // The name the user knows, never the path: an upload's path is the server's business.
        if (!File.Exists(request.Path)) throw new ImportFileException($"No file {fileName}: an upload is kept for a day; upload the file again.", "file");
        var source = string.IsNullOrWhiteSpace(mapping.Source) ? Path.GetFileNameWithoutExtension(fileName) : mapping.Source.Trim();
        source = Truncate(source, 100)!;
        var cleaning = new Cleaning(mapping.Cleaning);
        var options = ReadOptionsFor(request.Kind, mapping);
        var now = clock.GetUtcNow().UtcDateTime;
        var run = new ImportRun
        {
            Kind = request.Kind, FileName = Truncate(fileName, 260)!, Source = source, Fingerprint = Fingerprint(request.Path),
            Status = ImportStatus.Running, DryRun = request.DryRun, Actor = actor.Name, StartedAt = now, TotalBytes = new FileInfo(request.Path).Length,
            Mapping = Truncate(mapping.ToYaml(), 20000),
        };
        var report = new ImportReport { Run = run };
        var phases = new ImportPhases();

        // First pass: columns, mapping and the statistics that cleaning rules need (medians, outlier fences, spreads).
        ImportPlan? plan = null;
        using (phases.Time("first pass"))
        using (var first = TextSource.Open(request.Path, options))
        {
            if (request.Kind != ImportKind.Baskets)
            {
                plan = new ImportPlan(request.Kind, mapping, cleaning, first.Columns);
                foreach (var row in first.Rows())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    plan.Observe(row);
                }
                plan.Conclude(report.Steps);
                report.Columns.AddRange(plan.Uses.Select(u => new ColumnUse(u.Column, u.Field)));
                if (plan.Unmapped.Count > 0)
                {
                    var kept = request.Kind == ImportKind.Customers && mapping.Unmapped != "ignore";
                    Record(report, null, new Finding(null, string.Join(", ", plan.Unmapped), ProblemAction.Flagged,
                        $"{plan.Unmapped.Count} columns map to no field; {(kept ? "kept as attributes of the customer's source" : "ignored")}"), 1);
                }
            }
        }

        long resumeAfter = 0;
        var persisted = !request.DryRun && !request.AllOrNothing;
        if (!request.DryRun)
        {
            var previous = await db.ImportRuns.AsNoTracking()
                .Where(r => r.Fingerprint == run.Fingerprint && r.Kind == request.Kind && r.Source == source && !r.DryRun)
                .OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            if (previous is { Status: ImportStatus.Running or ImportStatus.Failed } && persisted)
            {
                // Counts go on from where the crashed run stopped; its findings are already stored.
                run.Id = previous.Id;
                run.StartedAt = previous.StartedAt;
                (run.LastLine, run.RowsRead, run.Imported, run.Updated, run.Rejected, run.Merged, run.Altered, run.ForReview) =
                    (previous.LastLine, previous.RowsRead, previous.Imported, previous.Updated, previous.Rejected, previous.Merged, previous.Altered, previous.ForReview);
                resumeAfter = previous.LastLine;
                report.Resumed = true;
            }
            else if (previous is { Status: ImportStatus.Completed } && !request.Again && request.Kind is not (ImportKind.Customers or ImportKind.Products))
            {
                throw new ImportFileException($"{fileName} was imported completely by run {previous.Id} ({previous.FinishedAt:u}); its rows would be added twice. Pass --again (API: again=true) to import it once more.");
            }
        }

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var audit = db.AuditEnabled;
        db.AuditEnabled = false;
        using var sql = ImportSql.For(db);
        DbTransaction? outer = null;
        DbTransaction? batch = null;
        var settings = sql.IsSqlite ? await SqliteSettings.ApplyAsync(sql, cancellationToken) : null;
        try
        {
            if (!persisted)
            {
                outer = await connection.BeginTransactionAsync(cancellationToken);
                sql.Transaction = outer;
            }
            if (run.Id == 0 && !request.DryRun) await InsertRunAsync(sql, run, cancellationToken);
            else if (report.Resumed) await sql.ExecuteAsync("UPDATE \"import_runs\" SET \"Status\" = @p0, \"Error\" = NULL WHERE \"Id\" = @p1", cancellationToken, nameof(ImportStatus.Running), run.Id);
            progress?.Invoke(run);
            if (run.Id > 0 && report.ProblemCount > 0 && !report.Resumed)
            {
                foreach (var problem in report.Problems) { problem.RunId = run.Id; await InsertProblemAsync(sql, problem, cancellationToken); }
            }
            var context = new WriteContext(sql, plan, mapping, run, source, actor.Name, now, report.Steps);
            var writer = KindWriter.For(request.Kind, context);
            using (phases.Time("start"))
            {
                await writer.StartAsync(cancellationToken);
            }
            using var reader = TextSource.Open(request.Path, options);
            var findings = new List<Finding>();
            var inBatch = 0;
            using var rows = reader.Rows().GetEnumerator();
            while (true)
            {
                phases.Start("read");
                var more = rows.MoveNext();
                phases.Stop();
                if (!more) break;
                var row = rows.Current;
                cancellationToken.ThrowIfCancellationRequested();
                if (row.Line <= resumeAfter) continue;
                if (batch is null && outer is null)
                {
                    batch = await connection.BeginTransactionAsync(cancellationToken);
                    sql.Transaction = batch;
                }
                run.RowsRead++;
                findings.Clear();
                var outcome = Outcome.Rejected;
                if (row.Problem is not null)
                {
                    findings.Add(new Finding(null, null, ProblemAction.Rejected, row.Problem));
                }
                else if (plan is null)
                {
                    phases.Start("write");
                    outcome = await writer.WriteAsync(row.Line, row.Fields, findings, cancellationToken);
                    phases.Stop();
                }
                else
                {
                    phases.Start("clean");
                    var (values, reject) = plan.Clean(row, findings, report.Steps);
                    phases.Stop();
                    phases.Start("write");
                    if (!reject) outcome = await writer.WriteAsync(row.Line, values, findings, cancellationToken);
                    phases.Stop();
                }
                switch (outcome)
                {
                    case Outcome.Imported: run.Imported++; break;
                    case Outcome.Updated: run.Updated++; break;
                    case Outcome.Merged: run.Merged++; break;
                    default: run.Rejected++; break;
                }
                if (outcome != Outcome.Rejected && findings.Count > 0) run.Altered++;
                phases.Start("findings");
                foreach (var finding in findings)
                {
                    var problem = Record(report, run.Id, finding, row.Line);
                    if (run.Id > 0 && !request.DryRun) await InsertProblemAsync(sql, problem, cancellationToken);
                }
                phases.Stop();
                run.LastLine = row.Line;
                run.BytesRead = reader.BytesRead;
                if (++inBatch >= request.BatchSize)
                {
                    using var commit = phases.Time("commit");
                    await writer.FlushAsync(cancellationToken);
                    await SaveProgressAsync(sql, run, cancellationToken);
                    if (batch is not null)
                    {
                        await batch.CommitAsync(cancellationToken);
                        await batch.DisposeAsync();
                        batch = null;
                        sql.Transaction = null;
                    }
                    inBatch = 0;
                    progress?.Invoke(run);
                }
            }
            await writer.FlushAsync(cancellationToken);
            run.BytesRead = run.TotalBytes;
            run.FinishedAt = clock.GetUtcNow().UtcDateTime;
            run.Status = request.AllOrNothing && run.Rejected > 0 ? ImportStatus.RolledBack : ImportStatus.Completed;
            if (run.Id > 0 && run.Status == ImportStatus.Completed && !request.DryRun)
            {
                await SaveProgressAsync(sql, run, cancellationToken);
                await sql.AuditAsync(actor.Name, "Imported", nameof(ImportRun), run.Id,
                    new { run.Kind, run.FileName, run.Source, run.RowsRead, run.Imported, run.Updated, run.Merged, run.Rejected }, run.FinishedAt.Value, cancellationToken);
            }
            using (phases.Time("commit"))
            {
                if (batch is not null) await batch.CommitAsync(cancellationToken);
            }
            if (outer is not null)
            {
                if (request.DryRun || run.Status == ImportStatus.RolledBack) await outer.RollbackAsync(cancellationToken);
                else await outer.CommitAsync(cancellationToken);
            }
            if (request.DryRun || run.Status == ImportStatus.RolledBack) run.Id = 0;
            progress?.Invoke(run);
            phases.Log(logger);
            return report;
        }
        catch (Exception e) when (e is not ImportFileException)
        {
            if (batch is not null) await batch.RollbackAsync(CancellationToken.None);
            if (outer is not null) await outer.RollbackAsync(CancellationToken.None);
            sql.Transaction = null;
            run.Status = outer is null ? ImportStatus.Failed : ImportStatus.RolledBack;
            run.Error = Truncate((e is OperationCanceledException ? "cancelled" : e.Message) + $" (after line {run.LastLine})", 2000);
            if (outer is null && run.Id > 0)
            {
                // The counts of the rolled-back batch are not in the database; the stored ones are those of the last commit.
                await sql.ExecuteAsync("UPDATE \"import_runs\" SET \"Status\" = @p0, \"Error\" = @p1 WHERE \"Id\" = @p2", CancellationToken.None,
                    nameof(ImportStatus.Failed), run.Error, run.Id);
            }
            throw;
        }
        finally
        {
            if (batch is not null) await batch.DisposeAsync();
            if (outer is not null) await outer.DisposeAsync();
            db.AuditEnabled = audit;
            if (settings is not null) await settings.RestoreAsync(sql);
            await db.Database.CloseConnectionAsync();
        }
    }

    public static ReadOptions ReadOptionsFor(ImportKind kind, ImportMapping mapping) => new()
    {
        Encoding = string.IsNullOrWhiteSpace(mapping.Encoding) ? null : TextSource.ParseEncoding(mapping.Encoding),
        Delimiter = ParseDelimiter(mapping.Delimiter),
        Header = mapping.Header ?? (kind == ImportKind.Baskets ? false : null),
        Ragged = kind == ImportKind.Baskets,
    };

    public static char? ParseDelimiter(string? text) => text switch
    {
        null or "" => null,
        "\\t" or "tab" or "\t" => '\t',
        { Length: 1 } => text[0],
        _ => throw new ImportFileException($"The delimiter must be one character (or 'tab'), not '{text}'."),
    };

    private static ImportProblem Record(ImportReport report, long? runId, Finding finding, long line)
    {
        var problem = new ImportProblem
        {
            RunId = runId ?? 0,
            Line = line,
            Column = Truncate(finding.Column, 200),
            Value = Truncate(ImportPlan.Printable(finding.Value), 500),
            Action = finding.Action,
            Reason = Truncate(finding.Reason, 500)!,
        };
        report.ProblemCount++;
        if (report.Problems.Count < ImportReport.KeptProblems) report.Problems.Add(problem);
        return problem;
    }

    private static async Task InsertRunAsync(ImportSql sql, ImportRun run, CancellationToken cancellationToken)
    {
        run.Id = await sql.InsertAsync(
            "INSERT INTO \"import_runs\" (\"Kind\", \"FileName\", \"Source\", \"Fingerprint\", \"Status\", \"DryRun\", \"Actor\", \"StartedAt\", \"TotalBytes\", \"BytesRead\", \"LastLine\", " +
            "\"RowsRead\", \"Imported\", \"Updated\", \"Rejected\", \"Merged\", \"Altered\", \"ForReview\", \"Mapping\") " +
            "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, 0, 0, 0, 0, 0, 0, 0, 0, 0, @p9)", cancellationToken,
            run.Kind.ToString(), run.FileName, run.Source, run.Fingerprint, run.Status.ToString(), run.DryRun, run.Actor, run.StartedAt, run.TotalBytes, run.Mapping);
    }

    private static async Task SaveProgressAsync(ImportSql sql, ImportRun run, CancellationToken cancellationToken)
    {
        if (run.Id == 0) return;
        await sql.ExecuteAsync(
            "UPDATE \"import_runs\" SET \"Status\" = @p0, \"BytesRead\" = @p1, \"LastLine\" = @p2, \"RowsRead\" = @p3, \"Imported\" = @p4, \"Updated\" = @p5, " +
            "\"Rejected\" = @p6, \"Merged\" = @p7, \"Altered\" = @p8, \"ForReview\" = @p9, \"FinishedAt\" = @p10 WHERE \"Id\" = @p11", cancellationToken,
            run.Status.ToString(), run.BytesRead, run.LastLine, run.RowsRead, run.Imported, run.Updated, run.Rejected, run.Merged, run.Altered, run.ForReview, run.FinishedAt, run.Id);
    }

    private static Task<int> InsertProblemAsync(ImportSql sql, ImportProblem problem, CancellationToken cancellationToken) =>
        sql.ExecuteAsync("INSERT INTO \"import_problems\" (\"RunId\", \"Line\", \"Column\", \"Value\", \"Action\", \"Reason\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
            cancellationToken, problem.RunId, problem.Line, problem.Column, problem.Value, problem.Action.ToString(), problem.Reason);

    /// <summary>Length and SHA-256 of the first 64 KB: the same file gives the same fingerprint without reading all of it.</summary>
    public static string Fingerprint(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[(int)Math.Min(stream.Length, 64 * 1024)];
        stream.ReadExactly(head);
        return Convert.ToHexStringLower(SHA256.HashData(head))[..32] + ":" + stream.Length.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The import's connection settings on SQLite, put back afterwards (the connection returns to the pool): a larger page cache,
    /// since matching and inserting against a million customers touch many index pages, and checkpoints of the write-ahead log
    /// every 512 MB rather than every 4 MB, so that index pages changed in many batches are copied into the database once (on the
    /// 1M-row bench this halved the time spent committing; the log file grows that large on disk until the next checkpoint).
    /// </summary>
    private sealed class SqliteSettings
    {
        private readonly long _cacheSize, _checkpoint, _mmap, _temp;

        private SqliteSettings(long cacheSize, long checkpoint, long mmap, long temp) => (_cacheSize, _checkpoint, _mmap, _temp) = (cacheSize, checkpoint, mmap, temp);

        public static async Task<SqliteSettings> ApplyAsync(ImportSql sql, CancellationToken cancellationToken)
        {
            var settings = new SqliteSettings(
                Convert.ToInt64(await sql.ScalarAsync("PRAGMA cache_size", cancellationToken), CultureInfo.InvariantCulture),
                Convert.ToInt64(await sql.ScalarAsync("PRAGMA wal_autocheckpoint", cancellationToken), CultureInfo.InvariantCulture),
                Convert.ToInt64(await sql.ScalarAsync("PRAGMA mmap_size", cancellationToken) ?? 0L, CultureInfo.InvariantCulture),
                Convert.ToInt64(await sql.ScalarAsync("PRAGMA temp_store", cancellationToken), CultureInfo.InvariantCulture));
            // A statement of many rows keeps a journal of its own (to undo just itself); in memory rather than in a temporary file.
            await sql.ExecuteAsync("PRAGMA temp_store = MEMORY", cancellationToken);
            // Without the memory map: an import walks the whole database, and every mapped page it touched would count as its memory.
            await sql.ExecuteAsync("PRAGMA mmap_size = 0", cancellationToken);
            await sql.ExecuteAsync("PRAGMA cache_size = -65536", cancellationToken);
            await sql.ExecuteAsync("PRAGMA wal_autocheckpoint = 131072", cancellationToken);
            return settings;
        }

        public async Task RestoreAsync(ImportSql sql)
        {
            sql.Transaction = null;
            await sql.ExecuteAsync("PRAGMA cache_size = " + _cacheSize.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            await sql.ExecuteAsync("PRAGMA wal_autocheckpoint = " + _checkpoint.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            await sql.ExecuteAsync("PRAGMA mmap_size = " + _mmap.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            await sql.ExecuteAsync("PRAGMA temp_store = " + _temp.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        }
    }

    internal static string? Truncate(string? value, int max) => value is null ? null : Records.InputText.Cut(value, max);
}
