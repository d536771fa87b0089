using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Recommendations;

/// <summary>Reads a customer's stored recommendations, puts their reasons into the reader's language, and records feedback.</summary>
public sealed class CustomerRecommendations(CrmDb db, TimeProvider clock, IStringLocalizer<Strings> l)
{
    public const int Shown = 5;

    /// <summary>
    /// The best <paramref name="take"/> stored recommendations, leaving out what the customer dismissed or has accepted or bought
    /// since the last training (the feedback counts at once; the next training learns from it).
    /// </summary>
    public Task<IReadOnlyList<RecommendationView>> ReadAsync(long customerId, int take, CancellationToken cancellationToken) =>
        ReadAsync(customerId, take, null, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAsync(long, int, CancellationToken)"/>, and when <paramref name="shownTo"/> names the person they are
    /// shown to, records them as shown (once a day per customer and product is enough to count showings): the same query tells
    /// which were shown already, so a 360 seen again today costs no read or write more than one seen by no one.
    /// </summary>
    public async Task<IReadOnlyList<RecommendationView>> ReadAsync(long customerId, int take, string? shownTo, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var listed = new List<StoredRow>(take);
        await foreach (var row in Stored.For(db)(db, customerId, take, now.AddDays(-1)).WithCancellation(cancellationToken)) listed.Add(row);
        if (listed.Count == 0) return [];
        if (shownTo is not null && listed.Where(r => !r.Shown).ToList() is { Count: > 0 } fresh)
        {
            db.RecommendationFeedback.AddRange(fresh.Select(r => new RecommendationFeedback { CustomerId = customerId, ProductId = r.Row.ProductId, Kind = FeedbackKind.Shown, By = shownTo, At = now }));
            // A showing is a count the next training reads, like a device reading, not a change someone made to a record: its
            // row names who saw it and when, and an audit row beside each doubled the write of every 360 page view.
            var audited = db.AuditEnabled;
            db.AuditEnabled = false;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            finally
            {
                db.AuditEnabled = audited;
            }
        }
        return [.. listed.Select(x =>
        {
            var r = x.Row;
            return new RecommendationView(r.ProductId, x.Sku, x.Name, r.Rank, r.Score, r.Source, Reason(r, x.Because), r.ModelVersion);
        })];
    }

    /// <summary>A stored recommendation with its product's and its reason's product's names, and whether it was shown since the day before.</summary>
    private sealed record StoredRow(Recommendation Row, string Sku, string Name, string? Because, bool Shown);

    /// <summary>
    /// The best stored recommendations not answered yet, named, in one compiled query: the 360 read them in two queries whose
    /// cache keys EF rebuilt on every view. A product deleted since the training is left out, as its name is.
    /// </summary>
    private static readonly PerModel<Func<CrmDb, long, int, DateTime, IAsyncEnumerable<StoredRow>>> Stored = new(() => EF.CompileAsyncQuery(
        (CrmDb db, long customerId, int take, DateTime since) => db.Recommendations
            .Where(r => r.CustomerId == customerId
                && !db.RecommendationFeedback.Any(f => f.CustomerId == customerId && f.ProductId == r.ProductId && f.Kind != FeedbackKind.Shown))
            .OrderBy(r => r.Rank).Take(take)
            .Join(db.Products, r => r.ProductId, p => p.Id, (r, p) => new { r, p.Sku, p.Name })
            .OrderBy(x => x.r.Rank)
            .Select(x => new StoredRow(x.r, x.Sku, x.Name,
                db.Products.Where(b => b.Id == x.r.BecauseProductId).Select(b => b.Name).FirstOrDefault(),
                db.RecommendationFeedback.Any(f => f.CustomerId == customerId && f.ProductId == x.r.ProductId && f.Kind == FeedbackKind.Shown && f.At >= since)))));

    private string Reason(Recommendation r, string? because) => (r.Source, because) switch
    {
        ("device", { } device) when r.DaysSinceBought is { } days => string.Format(CultureInfo.CurrentCulture, l["Goes with their {0}; last bought {1} days ago"], device, days),
        ("device", { } device) => string.Format(CultureInfo.CurrentCulture, l["Goes with their {0}"], device),
        ("similar", { } product) when r.Share is { } share => string.Format(CultureInfo.CurrentCulture, l["Chosen by {0} of the customers who chose {1}"], share.ToString("P0", CultureInfo.CurrentCulture), product),
        _ => l["Chosen by customers with similar purchases"],
    };

    /// <summary>Records feedback; false when the customer or the product does not exist.</summary>
    public async Task<bool> RecordAsync(long customerId, long productId, FeedbackKind kind, string by, CancellationToken cancellationToken)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, cancellationToken) || !await db.Products.AnyAsync(p => p.Id == productId, cancellationToken)) return false;
        db.RecommendationFeedback.Add(new RecommendationFeedback { CustomerId = customerId, ProductId = productId, Kind = kind, By = by, At = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
