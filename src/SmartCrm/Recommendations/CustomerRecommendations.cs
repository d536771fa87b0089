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
    public async Task<IReadOnlyList<RecommendationView>> ReadAsync(long customerId, int take, CancellationToken cancellationToken)
    {
        var answered = db.RecommendationFeedback.Where(f => f.CustomerId == customerId && f.Kind != FeedbackKind.Shown).Select(f => f.ProductId);
        var rows = await db.Recommendations.AsNoTracking().Where(r => r.CustomerId == customerId && !answered.Contains(r.ProductId))
            .OrderBy(r => r.Rank).Take(take).ToListAsync(cancellationToken);
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.ProductId).Concat(rows.Where(r => r.BecauseProductId != null).Select(r => r.BecauseProductId!.Value)).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => (p.Sku, p.Name), cancellationToken);
        return [.. rows.Where(r => products.ContainsKey(r.ProductId)).Select(r =>
        {
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

    /// <summary>Records that these recommendations were shown (once a day per customer and product is enough to count showings).</summary>
    public async Task ShownAsync(long customerId, IEnumerable<long> productIds, string by, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-1);
        var ids = productIds.ToList();
        var recent = await db.RecommendationFeedback.Where(f => f.CustomerId == customerId && f.Kind == FeedbackKind.Shown && f.At >= since && ids.Contains(f.ProductId))
            .Select(f => f.ProductId).ToListAsync(cancellationToken);
        var fresh = ids.Except(recent).ToList();
        if (fresh.Count == 0) return;
        db.RecommendationFeedback.AddRange(fresh.Select(p => new RecommendationFeedback { CustomerId = customerId, ProductId = p, Kind = FeedbackKind.Shown, By = by, At = now }));
        await db.SaveChangesAsync(cancellationToken);
    }
}
