using Microsoft.EntityFrameworkCore;
using SmartCrm.Analytics.Recommendation;
using SmartCrm.Catalog;
using Rating = SmartCrm.Analytics.Recommendation.Rating;
using SmartCrm.Orders;
using SmartCrm.Storage;

namespace SmartCrm.Recommendations;

/// <summary>A product as the recommender needs it.</summary>
public sealed record ProductFacts(long Id, ProductKind Kind, string? Category, bool Active);

/// <summary>
/// What the recommender learns from: every product each customer chose (bought in an order kept, rated, or accepted or bought
/// from a recommendation), when they last bought it, the devices they own, and the products they dismissed.
/// </summary>
public sealed class PurchaseHistory
{
    /// <summary>One choice per customer and product (value 1: implicit ALS weighs all alike), ordered by customer, then product.</summary>
    public required List<Rating> Choices { get; init; }

    /// <summary>Kept orders holding the product: how many, and the last one's time.</summary>
    public required Dictionary<(long Customer, long Product), (int Orders, DateTime Last)> Bought { get; init; }

    public required Dictionary<long, HashSet<long>> Dismissed { get; init; }

    /// <summary>Device products each customer owns: bought in a kept order, or registered as a device of that model (SKU).</summary>
    public required Dictionary<long, HashSet<long>> Devices { get; init; }

    public required Dictionary<long, ProductFacts> Products { get; init; }

    public required IReadOnlyDictionary<FeedbackKind, int> Feedback { get; init; }

    public DateTime? From { get; init; }

    public DateTime? To { get; init; }

    /// <summary>Every customer something can be recommended to: those with a choice or a device.</summary>
    public IEnumerable<long> Customers => Choices.Select(c => (long)c.User).Concat(Devices.Keys).Distinct();

    public static async Task<PurchaseHistory> ReadAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var products = await db.Products.AsNoTracking().Select(p => new ProductFacts(p.Id, p.Kind, p.Category, p.Active)).ToDictionaryAsync(p => p.Id, cancellationToken);
        // Cancelled and returned orders were not kept: neither a choice nor a device owned.
        var lines = await (from line in db.OrderLines
                           join order in db.Orders on line.OrderId equals order.Id
                           where order.Status != OrderStatus.Cancelled && order.Status != OrderStatus.Returned
                           group order by new { order.CustomerId, line.ProductId } into g
                           select new { g.Key.CustomerId, g.Key.ProductId, Orders = g.Count(), Last = g.Max(o => o.OrderedAt) })
            .ToListAsync(cancellationToken);
        var bought = new Dictionary<(long, long), (int, DateTime)>(lines.Count);
        var chosen = new HashSet<(long Customer, long Product)>();
        var devices = new Dictionary<long, HashSet<long>>();
        DateTime? from = null, to = null;
        foreach (var l in lines)
        {
            bought[(l.CustomerId, l.ProductId)] = (l.Orders, l.Last);
            chosen.Add((l.CustomerId, l.ProductId));
            if (products.TryGetValue(l.ProductId, out var p) && p.Kind == ProductKind.Device) Owned(devices, l.CustomerId).Add(l.ProductId);
            if (from is null || l.Last < from) from = l.Last;
            if (to is null || l.Last > to) to = l.Last;
        }
        await foreach (var r in db.Ratings.AsNoTracking().Select(r => new { r.CustomerId, r.ProductId, r.RatedAt }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            chosen.Add((r.CustomerId, r.ProductId));
            if (from is null || r.RatedAt < from) from = r.RatedAt;
            if (to is null || r.RatedAt > to) to = r.RatedAt;
        }
        var bySku = await db.Products.AsNoTracking().Where(p => p.Kind == ProductKind.Device).Select(p => new { p.Sku, p.Id }).ToListAsync(cancellationToken);
        var skus = bySku.GroupBy(p => p.Sku, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
        var registered = await db.Devices.AsNoTracking().Where(d => d.CustomerId != null && d.Model != null)
            .Select(d => new { CustomerId = d.CustomerId!.Value, Model = d.Model! }).ToListAsync(cancellationToken);
        foreach (var d in registered)
        {
            if (skus.TryGetValue(d.Model, out var product)) Owned(devices, d.CustomerId).Add(product);
        }
        var dismissed = new Dictionary<long, HashSet<long>>();
        var feedback = Enum.GetValues<FeedbackKind>().ToDictionary(k => k, _ => 0);
        var answers = await db.RecommendationFeedback.AsNoTracking().Select(f => new { f.CustomerId, f.ProductId, f.Kind }).ToListAsync(cancellationToken);
        foreach (var f in answers)
        {
            feedback[f.Kind]++;
            // Accepted or bought from a recommendation: a choice like a purchase. Dismissed: never offered again.
            if (f.Kind is FeedbackKind.Accepted or FeedbackKind.Bought) chosen.Add((f.CustomerId, f.ProductId));
            else if (f.Kind == FeedbackKind.Dismissed) Owned(dismissed, f.CustomerId).Add(f.ProductId);
        }
        // Customers and products in id order: the factors' random start follows the order of first appearance, so the same data in
        // the same order (ml-100k's u1.base is sorted by user, then item) fits the same model as `smartcrm eval recommend`.
        var choices = new List<Rating>(chosen.Count);
        foreach (var (customer, product) in chosen.Where(c => products.ContainsKey(c.Product)).OrderBy(c => c.Customer).ThenBy(c => c.Product))
        {
            choices.Add(new Rating(checked((int)customer), checked((int)product), 1));
        }
        return new PurchaseHistory
        {
            Choices = choices, Bought = bought, Dismissed = dismissed, Devices = devices, Products = products, Feedback = feedback, From = from, To = to,
        };
    }

    private static HashSet<long> Owned(Dictionary<long, HashSet<long>> sets, long customer)
    {
        if (!sets.TryGetValue(customer, out var set)) sets[customer] = set = [];
        return set;
    }
}
