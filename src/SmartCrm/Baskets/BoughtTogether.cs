using Microsoft.EntityFrameworkCore;
using SmartCrm.Catalog;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Baskets;

/// <summary>A product as a rule names it.</summary>
public sealed record RuleProduct(long Id, string Sku, string Name);

/// <summary>A basket rule with its products named: "orders with <see cref="If"/> also hold <see cref="Then"/>".</summary>
public sealed record RuleView(long Id, IReadOnlyList<RuleProduct> If, IReadOnlyList<RuleProduct> Then, int Count, double Support, double Confidence, double Lift);

/// <summary>What the active basket rules say: the browsable list, what goes with a product, what a customer's orders suggest.</summary>
public sealed class BoughtTogether(CrmDb db)
{
    public const int MaxPageSize = 200;

    private static readonly SortOrder<BasketRule> Orders = new SortOrder<BasketRule>("lift", q => q.ThenBy(r => r.Id))
        .By("lift", r => r.Lift, descendingFirst: true)
        .By("confidence", r => r.Confidence, descendingFirst: true)
        .By("support", r => r.Support, descendingFirst: true)
        .By("count", r => r.Count, descendingFirst: true);

    /// <summary>The order a list's <c>sort</c> asks for ("lift", "-support"...), strongest lift first when it names none.</summary>
    public static SortState SortOf(string? sort) => Orders.Parse(sort);

    /// <summary>Rules at or above the given support, confidence and lift, holding <paramref name="product"/> on either side when given.</summary>
    public async Task<Paged<RuleView>> ListAsync(RuleFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = db.BasketRules.AsNoTracking().Where(r => r.Support >= filter.MinSupport && r.Confidence >= filter.MinConfidence && r.Lift >= filter.MinLift);
        if (filter.Product is { } product)
        {
            var pattern = "," + product + ",";
            query = query.Where(r => ("," + r.Antecedent + ",").Contains(pattern) || ("," + r.Consequent + ",").Contains(pattern));
        }
        var rules = await Paging.ReadAsync(Orders.Apply(query, Orders.Parse(filter.Sort)), page, cancellationToken, Math.Clamp(pageSize, 1, MaxPageSize));
        return new Paged<RuleView>(await NameAsync(rules.Items, cancellationToken), rules.Total, rules.Page, rules.PageSize);
    }

    /// <summary>
    /// The products most often bought with <paramref name="productId"/> alone, strongest first. Lift above 1 only: a rule below
    /// it says buyers of the product take the other less often than anyone, which is not "bought together" (the demo's filter
    /// subscription showed purifiers at lift 0.7).
    /// </summary>
    public async Task<IReadOnlyList<RuleView>> WithProductAsync(long productId, int take, CancellationToken cancellationToken)
    {
        var key = productId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rules = await db.BasketRules.AsNoTracking().Where(r => r.AntecedentSize == 1 && r.Antecedent == key && r.Lift > 1)
            .OrderByDescending(r => r.Confidence).ThenByDescending(r => r.Lift).ThenBy(r => r.Id).Take(take).ToListAsync(cancellationToken);
        return await NameAsync(rules, cancellationToken);
    }

    /// <summary>
    /// Rules whose products the customer has all bought and whose suggestion they have not: what such customers buy next.
    /// One suggestion a product, from its most confident rule; no device of a kind they already own.
    /// </summary>
    public async Task<IReadOnlyList<RuleView>> ForCustomerAsync(long customerId, int take, CancellationToken cancellationToken)
    {
        // From the customer's orders to their lines (both by index): asked the other way round, SQLite walked every order line
        // of every customer (13 ms of a 20 ms 360 page on the demo).
        var owned = await db.Orders.Where(o => o.CustomerId == customerId).Join(db.OrderLines, o => o.Id, l => l.OrderId, (o, l) => l.ProductId)
            .Distinct().OrderBy(id => id).Take(40).ToListAsync(cancellationToken);
        if (owned.Count == 0) return [];
        // Antecedents of one or two owned products, written as the table keeps them (ids in increasing order).
        var keys = new List<string>();
        for (var i = 0; i < owned.Count; i++)
        {
            keys.Add(Key(owned[i]));
            for (var j = i + 1; j < owned.Count; j++) keys.Add(Key(owned[i]) + "," + Key(owned[j]));
        }
        // Lift above 1 only: below it, owning the products makes the suggestion less likely than for anyone.
        var rules = await db.BasketRules.AsNoTracking().Where(r => keys.Contains(r.Antecedent) && r.Lift > 1)
            .OrderByDescending(r => r.Confidence).ThenByDescending(r => r.Lift).ThenBy(r => r.Id).Take(500).ToListAsync(cancellationToken);
        var have = owned.ToHashSet();
        // A device like one they own is a substitute, not a complement: buyers of a leak sensor buy either heater, but the
        // owner of the 80 L heater does not want the 50 L one suggested.
        var ownedDeviceCategories = await db.Products.Where(p => owned.Contains(p.Id) && p.Kind == ProductKind.Device && p.Category != null)
            .Select(p => p.Category!).Distinct().ToListAsync(cancellationToken);
        var substitutes = ownedDeviceCategories.Count == 0 ? [] : (await db.Products
            .Where(p => p.Kind == ProductKind.Device && p.Category != null && ownedDeviceCategories.Contains(p.Category))
            .Select(p => p.Id).ToListAsync(cancellationToken)).ToHashSet();
        var chosen = new List<BasketRule>();
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            var products = BasketRule.Ids(rule.Consequent);
            if (products.All(have.Contains) || products.Any(substitutes.Contains) || !suggested.Add(rule.Consequent)) continue;
            chosen.Add(rule);
            if (chosen.Count == take) break;
        }
        return await NameAsync(chosen, cancellationToken);
    }

    private static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<List<RuleView>> NameAsync(IReadOnlyList<BasketRule> rules, CancellationToken cancellationToken)
    {
        var ids = rules.SelectMany(r => BasketRule.Ids(r.Antecedent).Concat(BasketRule.Ids(r.Consequent))).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => new RuleProduct(p.Id, p.Sku, p.Name), cancellationToken);
        RuleProduct Named(long id) => products.GetValueOrDefault(id) ?? new RuleProduct(id, "", $"#{id}");
        return rules.Select(r => new RuleView(r.Id, [.. BasketRule.Ids(r.Antecedent).Select(Named)], [.. BasketRule.Ids(r.Consequent).Select(Named)],
            r.Count, r.Support, r.Confidence, r.Lift)).ToList();
    }
}
