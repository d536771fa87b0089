using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

public sealed record MergeInput
{
    /// <summary>The customer merged into the one in the path (and then deleted).</summary>
    [Required] public long? OtherId { get; init; }
    /// <summary>newest (default), mostComplete or sourcePriority.</summary>
    [MaxLength(40)] public string? Rule { get; init; }
    [MaxLength(20), EachMaxLength(100)] public List<string>? SourcePriority { get; init; }
}

/// <summary>A candidate pair as the review queue shows it.</summary>
public sealed record CandidateView(long Id, long CustomerId, string? CustomerName, string? CustomerEmail, string? CustomerPhone,
    long OtherId, string? OtherName, string? OtherEmail, string? OtherPhone, double Score, string? Reasons, CandidateStatus Status, DateTime FoundAt);

public sealed record ScanResult(int Scanned, int Candidates);

public static class DuplicatesApi
{
    public static IEndpointRouteBuilder MapDuplicatesApi(this IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customer");
        customers.MapPost("/{id:long}/merge", async Task<IResult> (long id, MergeInput input, CustomerMerger merger, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (input.OtherId is null) return Problems.Field("otherId", "The customer to merge in is required.");
            try
            {
                var score = await db.DuplicateCandidates.Where(c => (c.CustomerId == id && c.OtherId == input.OtherId) || (c.CustomerId == input.OtherId && c.OtherId == id))
                    .Select(c => (double?)c.Score).FirstOrDefaultAsync(cancellationToken);
                var merge = await merger.MergeAsync(id, input.OtherId.Value, CustomerMerger.ParseRule(input.Rule), input.SourcePriority, score, cancellationToken);
                return TypedResults.Ok(merge);
            }
            catch (MergeRefusedException e)
            {
                return TypedResults.Problem(title: "Merge refused", detail: e.Message, statusCode: e.Status);
            }
        }).RequireAuthorization(Permissions.CustomersWrite).WithName("MergeCustomers");

        customers.MapPost("/merges/{mergeId:long}/undo", async Task<IResult> (long mergeId, CustomerMerger merger, CancellationToken cancellationToken) =>
        {
            try
            {
                return TypedResults.Ok(await merger.UndoAsync(mergeId, cancellationToken));
            }
            catch (MergeRefusedException e)
            {
                return TypedResults.Problem(title: "Undo refused", detail: e.Message, statusCode: e.Status);
            }
        }).RequireAuthorization(Permissions.CustomersWrite).WithName("UndoMerge");

        customers.MapGet("/{id:long}/merges", async (long id, CrmDb db, CancellationToken cancellationToken) =>
            TypedResults.Ok(await db.CustomerMerges.Where(m => m.SurvivorId == id || m.MergedId == id).OrderByDescending(m => m.Id).Take(100).ToListAsync(cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListMerges");

        customers.MapGet("/duplicates", async (CrmDb db, CandidateStatus? status, int? page, CancellationToken cancellationToken) =>
        {
            var number = Math.Clamp(page ?? 1, 1, QueryOptions.MaxOffset / 50);
            var query = db.DuplicateCandidates.Where(c => c.Status == (status ?? CandidateStatus.Open));
            var total = await query.CountAsync(cancellationToken);
            var items = await Review(db, query.OrderByDescending(c => c.Score).ThenBy(c => c.Id).Skip((number - 1) * 50).Take(50)).ToListAsync(cancellationToken);
            return TypedResults.Ok(new ListPage<CandidateView>(items, total, number, 50));
        }).RequireAuthorization(Permissions.CustomersRead).WithName("ListDuplicates");

        customers.MapPost("/duplicates/scan", async (DuplicateScan scan, CancellationToken cancellationToken) => TypedResults.Ok(await scan.RunAsync(cancellationToken)))
            .RequireAuthorization(Permissions.CustomersWrite).WithName("ScanDuplicates");

        customers.MapPost("/duplicates/{id:long}/dismiss", async Task<Results<NoContent, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
        {
            var candidate = await db.DuplicateCandidates.AsTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (candidate is null) return Problems.NotFound("Duplicate candidate", id);
            candidate.Status = CandidateStatus.Dismissed;
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Permissions.CustomersWrite).WithName("DismissDuplicate");
        return api;
    }

    public static IQueryable<CandidateView> Review(CrmDb db, IQueryable<DuplicateCandidate> candidates) =>
        from c in candidates
        join a in db.Customers on c.CustomerId equals a.Id
        join b in db.Customers on c.OtherId equals b.Id
        select new CandidateView(c.Id, a.Id, a.Name, a.Email, a.Phone, b.Id, b.Name, b.Email, b.Phone, c.Score, c.Reasons, c.Status, c.FoundAt);
}
