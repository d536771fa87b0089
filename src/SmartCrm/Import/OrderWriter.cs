using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmartCrm.Orders;

namespace SmartCrm.Import;

/// <summary>
/// Orders with their lines: one row per line, rows of one order (same order id) next to each other; or one row per order with
/// its lines as a JSON array (`[{"sku":"A-1","quantity":2,"unitPrice":9.5}]`).
/// </summary>
internal sealed class OrderWriter(WriteContext context) : KindWriter(context)
{
    private readonly CustomerRefs _customers = new(context.Sql, context.Source);
    private readonly ProductRefs _products = new(context.Sql);
    private string? _orderKey;
    private long _orderId;
    private decimal _total;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _customers.LoadAsync(cancellationToken);
        await _products.LoadAsync(cancellationToken);
    }

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (await CustomerAsync(_customers, findings, cancellationToken) is not { } customer) return Outcome.Rejected;
        var lines = new List<(long Product, int Quantity, decimal Price)>();
        if (Field("lines") is { } json)
        {
            try
            {
                foreach (var item in JsonNode.Parse(json)!.AsArray())
                {
                    var sku = item?["sku"]?.ToString();
                    if (sku is null || Line(sku, item?["quantity"]?.ToString(), item?["unitPrice"]?.ToString(), findings) is not { } parsed) return Outcome.Rejected;
                    lines.Add(parsed);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                findings.Add(new Finding(Column("lines"), json, ProblemAction.Rejected, "lines are not a JSON array of {sku, quantity, unitPrice}"));
                return Outcome.Rejected;
            }
        }
        else if (Field("sku") is { } sku)
        {
            if (Line(sku, Field("quantity"), Field("unitPrice"), findings) is not { } parsed) return Outcome.Rejected;
            lines.Add(parsed);
        }
        if (lines.Count == 0)
        {
            findings.Add(new Finding(Column("sku"), null, ProblemAction.Rejected, "an order needs at least one line (sku or lines)"));
            return Outcome.Rejected;
        }
        var key = Field("orderId") is { } orderId ? customer.ToString(CultureInfo.InvariantCulture) + "/" + orderId : null;
        var outcome = Outcome.Updated;
        if (key is null || key != _orderKey)
        {
            await FlushAsync(cancellationToken);
            _orderKey = key;
            _total = 0;
            _orderId = await Sql.InsertAsync(
                "INSERT INTO \"orders\" (\"CustomerId\", \"OrderedAt\", \"Status\", \"Channel\", \"Currency\", \"Total\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)", cancellationToken,
                customer, Date(Field("orderedAt")) ?? Context.Now, ParseEnum("status", OrderStatus.Delivered, findings).ToString(), ParseEnum("channel", SalesChannel.Web, findings).ToString(),
                (Field("currency") is { Length: 3 } currency ? currency : "USD").ToUpperInvariant(), Sql.Money(0));
            outcome = Outcome.Imported;
        }
        foreach (var (product, quantity, price) in lines)
        {
            await Sql.ExecuteAsync("INSERT INTO \"order_lines\" (\"OrderId\", \"ProductId\", \"Quantity\", \"UnitPrice\") VALUES (@p0, @p1, @p2, @p3)", cancellationToken,
                _orderId, product, quantity, Sql.Money(price));
            _total += quantity * price;
        }
        return outcome;
    }

    private (long, int, decimal)? Line(string rawSku, string? quantityText, string? priceText, List<Finding> findings)
    {
        var sku = Sku(rawSku);
        if (!_products.BySku.TryGetValue(sku, out var product))
        {
            findings.Add(new Finding(Column("sku"), rawSku, ProblemAction.Rejected, $"no product with SKU '{sku}' (import the products first)"));
            return null;
        }
        var quantity = quantityText is null ? 1 : Cleaning.Number(quantityText);
        if (quantity is not (>= 1 and <= 100_000) || quantity != Math.Floor(quantity.Value))
        {
            findings.Add(new Finding(Column("quantity"), quantityText, ProblemAction.Rejected, "the quantity must be a whole number from 1 to 100,000"));
            return null;
        }
        var price = priceText is null ? (double)product.Price : Cleaning.Number(priceText);
        if (price is not (>= 0 and <= MaxPrice))
        {
            findings.Add(new Finding(Column("unitPrice"), priceText, ProblemAction.Rejected, "the unit price must be a number from 0 to 10,000,000"));
            return null;
        }
        return (product.Id, (int)quantity.Value, Math.Round((decimal)price.Value, 2));
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_orderId == 0) return;
        await Sql.ExecuteAsync("UPDATE \"orders\" SET \"Total\" = @p0 WHERE \"Id\" = @p1", cancellationToken, Sql.Money(_total), _orderId);
    }
}
