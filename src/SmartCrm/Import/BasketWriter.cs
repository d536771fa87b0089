using System.Globalization;
using SmartCrm.Catalog;
using SmartCrm.Customers;
using SmartCrm.Orders;

namespace SmartCrm.Import;

/// <summary>
/// Point-of-sale baskets: every field of a row is an item; each basket becomes an order of the source's walk-in customer, and
/// items not yet in the catalogue become products.
/// </summary>
internal sealed class BasketWriter(WriteContext context) : KindWriter(context)
{
    private readonly ProductRefs _products = new(context.Sql);
    private long _customer;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _products.LoadAsync(cancellationToken);
        var external = "walk-in";
        if (await Sql.ScalarAsync("SELECT \"CustomerId\" FROM \"customer_sources\" WHERE \"System\" = @p0 AND \"ExternalId\" = @p1", cancellationToken, Context.Source, external) is { } id and not DBNull)
        {
            _customer = Convert.ToInt64(id, CultureInfo.InvariantCulture);
            return;
        }
        _customer = await Sql.InsertAsync(
            "INSERT INTO \"customers\" (\"Kind\", \"Name\", \"Tags\", \"CreatedAt\", \"UpdatedAt\") VALUES (@p0, @p1, @p2, @p3, @p3)", cancellationToken,
            nameof(CustomerKind.Person), Truncate($"Walk-in customers ({Context.Source})", 200), Sql.Tags(["anonymous"]), Context.Now);
        await Sql.ExecuteAsync(
            "INSERT INTO \"customer_sources\" (\"CustomerId\", \"System\", \"ExternalId\", \"Fields\", \"FirstSeenAt\", \"LastSeenAt\") VALUES (@p0, @p1, @p2, 'Name', @p3, @p3)",
            cancellationToken, _customer, Context.Source, external, Context.Now);
    }

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        var items = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in Values)
        {
            var item = raw?.Trim();
            if (string.IsNullOrEmpty(item)) continue;
            if (TextSource.FirstControl(item) >= 0)
            {
                findings.Add(new Finding(null, item, ProblemAction.Rejected, "an item contains control characters: binary data?"));
                return Outcome.Rejected;
            }
            var sku = Truncate((Context.Mapping.SkuPrefix ?? "") + Cleaning.Slug(item), 40);
            if (sku.Length == 0) continue;
            items[sku] = items.GetValueOrDefault(sku) + 1;
            names.TryAdd(sku, Truncate(item, 200));
        }
        if (items.Count == 0)
        {
            findings.Add(new Finding(null, null, ProblemAction.Rejected, "an empty basket"));
            return Outcome.Rejected;
        }
        decimal total = 0;
        var orderId = await Sql.InsertAsync(
            "INSERT INTO \"orders\" (\"CustomerId\", \"OrderedAt\", \"Status\", \"Channel\", \"Currency\", \"Total\") VALUES (@p0, @p1, @p2, @p3, 'USD', @p4)", cancellationToken,
            _customer, Context.Now, nameof(OrderStatus.Delivered), nameof(SalesChannel.Store), Sql.Money(0));
        foreach (var (sku, quantity) in items)
        {
            if (!_products.BySku.TryGetValue(sku, out var product))
            {
                var id = await Sql.InsertAsync("INSERT INTO \"products\" (\"Sku\", \"Name\", \"Kind\", \"Category\", \"Price\", \"Active\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
                    cancellationToken, sku, names[sku], nameof(ProductKind.Accessory), Context.Source, Sql.Money(0), true);
                product = (id, 0);
                _products.BySku[sku] = product;
                ImportPlan.Count(Context.Steps, "products created from basket items");
            }
            await Sql.ExecuteAsync("INSERT INTO \"order_lines\" (\"OrderId\", \"ProductId\", \"Quantity\", \"UnitPrice\") VALUES (@p0, @p1, @p2, @p3)", cancellationToken,
                orderId, product.Id, quantity, Sql.Money(product.Price));
            total += product.Price * quantity;
        }
        if (total != 0) await Sql.ExecuteAsync("UPDATE \"orders\" SET \"Total\" = @p0 WHERE \"Id\" = @p1", cancellationToken, Sql.Money(total), orderId);
        return Outcome.Imported;
    }
}
