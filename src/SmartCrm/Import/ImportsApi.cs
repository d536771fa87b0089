using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>The summary the API answers with after an import.</summary>
public sealed record ImportSummary(ImportRun Run, IReadOnlyList<ColumnUse> Columns, IReadOnlyDictionary<string, long> Steps, long ProblemCount,
    IReadOnlyList<ImportProblem> Problems, string? ProblemsUrl, bool Resumed);

/// <summary>What the wizard shows before an import: how the file reads, the first rows, and the suggested field per column.</summary>
public sealed record ImportPreview(string Encoding, string? Delimiter, bool HasHeader, IReadOnlyList<string> Columns, IReadOnlyList<string?> Suggested,
    IReadOnlyList<RawRow> Rows);

public static class ImportsApi
{
    public const int PreviewRows = 10;
    private const long MaxUpload = 2L << 30;

    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder api)
    {
        var imports = api.MapGroup("/imports").WithTags("Import");
        imports.MapPost("/", async Task<IResult> ([FromForm] string kind, IFormFile file, [FromForm] string? mapping, [FromForm] string? map, [FromForm] bool? dryRun,
            [FromForm] bool? allOrNothing, [FromForm] bool? again, [FromForm] string? source, Importer importer, ImportUploads uploads, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (ParseKind(kind) is not { } importKind) return UnknownKind(kind);
            if (!ImportPermissions.Allows(http.User, importKind)) return Refused(importKind);
            if (source is { Length: > 100 }) return Problems.Field("source", "At most 100 characters.");
            ImportMapping parsed;
            try
            {
                parsed = ReadMapping(mapping, map);
            }
            catch (ImportFileException e)
            {
                return Refused(e, "The mapping cannot be used");
            }
            if (source is { Length: > 0 }) parsed.Source = source;
            var (_, path) = await uploads.SaveAsync(file, cancellationToken);
            try
            {
                var report = await importer.RunAsync(new ImportRequest
                {
                    Kind = importKind, Path = path, FileName = ImportUploads.FileName(file.FileName), Mapping = parsed,
                    DryRun = dryRun ?? false, AllOrNothing = allOrNothing ?? false, Again = again ?? false,
                }, null, cancellationToken);
                var summary = Summary(report, http);
                return report.Run.Id > 0 ? TypedResults.Created($"{http.Request.PathBase}/api/v1/imports/{report.Run.Id}", summary) : TypedResults.Ok(summary);
            }
            catch (ImportFileException e)
            {
                return Refused(e, "The file cannot be imported");
            }
            finally
            {
                ImportUploads.Delete(path);
            }
        }).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxUpload)).WithFormOptions(multipartBodyLengthLimit: MaxUpload, valueLengthLimit: MaxFormValue, valueCountLimit: 20)
            .RequireAuthorization(Permissions.CustomersRead).WithName("Import");

        imports.MapPost("/preview", async Task<IResult> ([FromForm] string kind, IFormFile file, [FromForm] string? mapping, [FromForm] string? map, ImportUploads uploads,
            HttpContext http, CancellationToken cancellationToken) =>
        {
            if (ParseKind(kind) is not { } importKind) return UnknownKind(kind);
            if (!ImportPermissions.Allows(http.User, importKind)) return Refused(importKind);
            ImportMapping parsed;
            try
            {
                parsed = ReadMapping(mapping, map);
            }
            catch (ImportFileException e)
            {
                return Refused(e, "The mapping cannot be used");
            }
            var (_, path) = await uploads.SaveAsync(file, cancellationToken);
            try
            {
                return TypedResults.Ok(Preview(importKind, path, parsed));
            }
            catch (ImportFileException e)
            {
                return Refused(e, "The file cannot be read");
            }
            finally
            {
                ImportUploads.Delete(path);
            }
        }).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxUpload)).WithFormOptions(multipartBodyLengthLimit: MaxUpload, valueLengthLimit: MaxFormValue, valueCountLimit: 20)
            .RequireAuthorization(Permissions.CustomersRead).WithName("PreviewImport");

        // The console wizard's upload: a browser form (antiforgery checked), then on to the mapping step with the upload's id.
        imports.MapPost("/uploads", async Task<IResult> ([FromForm] string kind, IFormFile file, ImportUploads uploads, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (ParseKind(kind) is not { } importKind) return UnknownKind(kind);
            if (!ImportPermissions.Allows(http.User, importKind)) return Refused(importKind);
            var (id, _) = await uploads.SaveAsync(file, cancellationToken);
            return Results.LocalRedirect($"/imports/new?upload={id}&kind={importKind}&file={Uri.EscapeDataString(ImportUploads.FileName(file.FileName))}");
        }).WithMetadata(new RequestSizeLimitAttribute(MaxUpload)).WithFormOptions(multipartBodyLengthLimit: MaxUpload, valueLengthLimit: MaxFormValue, valueCountLimit: 20)
            .RequireAuthorization(Permissions.CustomersRead).ExcludeFromDescription();

        imports.MapGet("/", async (CrmDb db, int? page, CancellationToken cancellationToken) =>
            await QueryOptions.PageAsync(db.ImportRuns.OrderByDescending(r => r.Id), page, 50, cancellationToken))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListImports");

        imports.MapGet("/{id:long}", async Task<Results<Ok<ImportRun>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
            await db.ImportRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) is { } run ? TypedResults.Ok(run) : Problems.NotFound("Import", id))
            .RequireAuthorization(Permissions.CustomersRead).WithName("GetImport");

        imports.MapGet("/{id:long}/problems.csv", async Task<IResult> (long id, CrmDb db, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!await db.ImportRuns.AnyAsync(r => r.Id == id, cancellationToken)) return Problems.NotFound("Import", id);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"import-{id}-problems.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(true));
            await ImportReportCsv.WriteAsync(writer, ImportReportCsv.Stored(db, id), cancellationToken);
            return Results.Empty;
        }).RequireAuthorization(Permissions.CustomersRead).WithName("GetImportProblems");
        return api;
    }

    /// <summary>Largest form field: a mapping's text (at most 64 K characters, up to four bytes each).</summary>
    private const int MaxFormValue = 4 * ImportMapping.MaxYamlLength;

    /// <summary>The mapping a request names: its text, a built-in mapping's name (never a path), or the suggestions.</summary>
    private static ImportMapping ReadMapping(string? mapping, string? map) =>
        mapping is { Length: > 0 } ? ImportMapping.FromYaml(mapping) : map is { Length: > 0 } ? ImportMapping.Named(map) : new ImportMapping();

    private static ProblemHttpResult Refused(ImportFileException e, string title) =>
        TypedResults.Problem(title: title, detail: e.Message, statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [e.Field ?? "file"] = [e.Message] } });

    private static ProblemHttpResult Refused(ImportKind kind) =>
        TypedResults.Problem(title: "Permission denied", statusCode: StatusCodes.Status403Forbidden,
            detail: $"An import of {kind.ToString().ToLowerInvariant()} writes what needs the permissions {string.Join(", ", ImportPermissions.For(kind))}.");

    private static ImportKind? ParseKind(string? kind) =>
        Enum.TryParse<ImportKind>(kind, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;

    private static ProblemHttpResult UnknownKind(string? kind) =>
        Problems.Field("kind", $"'{InputText.Cut(kind ?? "", 40)}' is not a kind of import: use {string.Join(", ", Enum.GetNames<ImportKind>().Select(n => n.ToLowerInvariant()))}.");

    public static ImportSummary Summary(ImportReport report, HttpContext? http) => new(
        report.Run, report.Columns, report.Steps, report.ProblemCount, report.Problems.Take(100).ToList(),
        report.Run.Id > 0 ? $"{http?.Request.PathBase}/api/v1/imports/{report.Run.Id}/problems.csv" : null, report.Resumed);

    public static ImportPreview Preview(ImportKind kind, string path, ImportMapping mapping)
    {
        using var source = TextSource.Open(path, Importer.ReadOptionsFor(kind, mapping));
        var rows = source.Rows().Take(PreviewRows).ToList();
        var suggested = source.Columns.Select((c, i) =>
            mapping.Columns.TryGetValue(c, out var f) ? f : mapping.Columns.TryGetValue((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), out var p) ? p : ImportFields.Suggest(kind, c)).ToList();
        return new ImportPreview(source.Encoding.WebName, source.Delimiter is { } d ? d.ToString() : null, source.HasHeader, [.. source.Columns], suggested, rows);
    }
}
