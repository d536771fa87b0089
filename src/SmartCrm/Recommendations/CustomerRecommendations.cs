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
        var answered = db.RecommendationFeedback.Where(f => f.CustomerId == customerId && f.Kind != FeedbackKind.Shown).Select(f => f.ProductId);
        var best = db.Recommendations.AsNoTracking().Where(r => r.CustomerId == customerId && !answered.Contains(r.ProductId)).OrderBy(r => r.Rank).Take(take);
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-1);
        var rows = shownTo is null
            ? (await best.ToListAsync(cancellationToken)).Select(r => (Row: r, Shown: false)).ToList()
            : (await best.Select(r => new
            {
                Row = r,
                Shown = db.RecommendationFeedback.Any(f => f.CustomerId == customerId && f.ProductId == r.ProductId && f.Kind == FeedbackKind.Shown && f.At >= since),
            }).ToListAsync(cancellationToken)).Select(x => (x.Row, x.Shown)).ToList();
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Row.ProductId).Concat(rows.Where(r => r.Row.BecauseProductId != null).Select(r => r.Row.BecauseProductId!.Value)).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => (p.Sku, p.Name), cancellationToken);
        var listed = rows.Where(r => products.ContainsKey(r.Row.ProductId)).ToList();
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
            var (sku, name) = products[r.ProductId];
            var because = r.BecauseProductId is { } b && products.TryGetValue(b, out var p) ? p.Name : null;
            return new RecommendationView(r.ProductId, sku, name, r.Rank, r.Score, r.Source, Reason(r, because), r.ModelVersion);
        })];
    }

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
