using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

/// <summary>
/// Duplicate search over the whole customer base, not only at import: every customer is matched against those before it
/// (blocking keeps this linear), and new pairs at or above the review threshold go to the review queue.
/// </summary>
public sealed class DuplicateScan(CrmDb db, TimeProvider clock)
{
    public const double ReviewThreshold = 0.75;

    public async Task<ScanResult> RunAsync(CancellationToken cancellationToken)
    {
        var known = new HashSet<(long, long)>();
        await foreach (var pair in db.DuplicateCandidates.Select(c => new { c.CustomerId, c.OtherId }).AsAsyncEnumerable().WithCancellation(cancellationToken))
            known.Add((pair.CustomerId, pair.OtherId));
        var matcher = new CustomerMatcher();
        var found = new List<DuplicateCandidate>();
        var scanned = 0;
        var now = clock.GetUtcNow().UtcDateTime;
        await foreach (var c in db.Customers.OrderBy(c => c.Id).Select(c => new { c.Id, c.Name, c.Email, c.Phone, c.City, c.Address }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var fields = new MatchFields(c.Name, c.Email, c.Phone, c.City, c.Address);
            foreach (var match in matcher.Matches(fields, ReviewThreshold))
            {
                if (known.Add((match.CustomerId, c.Id)))
                {
                    found.Add(new DuplicateCandidate
                    {
                        CustomerId = match.CustomerId, OtherId = c.Id, Score = match.Score, Reasons = match.Reasons.Length > 300 ? match.Reasons[..300] : match.Reasons,
                        Status = CandidateStatus.Open, FoundAt = now,
                    });
                }
            }
            matcher.Add(c.Id, fields);
            scanned++;
        }
        db.AuditEnabled = false;
        foreach (var chunk in found.Chunk(1000))
        {
            db.DuplicateCandidates.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        db.AuditEnabled = true;
        return new ScanResult(scanned, found.Count);
    }
}
