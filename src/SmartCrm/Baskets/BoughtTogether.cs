using Microsoft.EntityFrameworkCore;
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
    /// What customers with the same products bought next (<see cref="SuggestionChoice"/>), as chosen for this customer when the
    /// active rules were stored: read, not matched per view. A merge can leave the survivor with two lists; a product is listed once.
    /// </summary>
    public async Task<IReadOnlyList<RuleView>> ForCustomerAsync(long customerId, int take, CancellationToken cancellationToken)
    {
        var rules = new List<BasketRule>();
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var rule in Stored.For(db)(db, customerId).WithCancellation(cancellationToken))
        {
            if (suggested.Add(rule.Consequent)) rules.Add(rule);
            if (rules.Count == take) break;
        }
        return rules.Count == 0 ? [] : await NameAsync(rules, cancellationToken);
    }

    /// <summary>A customer's stored suggestions, compiled once: the 360 reads them on every view.</summary>
    private static readonly PerModel<Func<CrmDb, long, IAsyncEnumerable<BasketRule>>> Stored = new(() => EF.CompileAsyncQuery(
        (CrmDb db, long customerId) => (from s in db.CustomerSuggestions
                                        where s.CustomerId == customerId
                                        join r in db.BasketRules on s.RuleId equals r.Id
                                        orderby s.Rank
                                        select r).Take(BasketTraining.Suggested * 2)));

    /// <summary>
    /// The products a list of rules names, compiled once: on the 360, built per view, this one query cost three times a compiled
    /// one (perf).
    /// </summary>
    private static readonly PerModel<Func<CrmDb, long[], IAsyncEnumerable<RuleProduct>>> Names = new(() => EF.CompileAsyncQuery(
        (CrmDb db, long[] ids) => db.Products.Where(p => ids.Contains(p.Id)).Select(p => new RuleProduct(p.Id, p.Sku, p.Name))));

    private async Task<List<RuleView>> NameAsync(IReadOnlyList<BasketRule> rules, CancellationToken cancellationToken)
    {
        var ids = rules.SelectMany(r => BasketRule.Ids(r.Antecedent).Concat(BasketRule.Ids(r.Consequent))).Distinct().ToArray();
        var products = new Dictionary<long, RuleProduct>();
        await foreach (var product in Names.For(db)(db, ids).WithCancellation(cancellationToken)) products[product.Id] = product;
        RuleProduct Named(long id) => products.GetValueOrDefault(id) ?? new RuleProduct(id, "", $"#{id}");
        return rules.Select(r => new RuleView(r.Id, [.. BasketRule.Ids(r.Antecedent).Select(Named)], [.. BasketRule.Ids(r.Consequent).Select(Named)],
            r.Count, r.Support, r.Confidence, r.Lift)).ToList();
    }
}
