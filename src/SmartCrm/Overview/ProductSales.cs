using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Orders;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Overview;

/// <summary>A customer who bought a product: how many and when last.</summary>
public sealed record ProductBuyer(long CustomerId, string Name, int Units, decimal Amount, DateTime LastBoughtAt);

/// <summary>
/// What a product sells: per month of the last twelve in the user's zone, and who buys it. Cancelled and returned orders are
/// left out (they earned nothing), as on the dashboard.
/// </summary>
public sealed class ProductSales(CrmDb db, ConsoleTime time, TimeProvider clock)
{
    public const int Months = 12;

    /// <summary>
    /// Where "the last twelve months" start: the first day of the month eleven months back in the user's zone, so a list's
    /// figures, the page's and its chart's are sums over the same orders.
    /// </summary>
    public DateTime Since() => Window().From;

    /// <summary>Units and revenue per month, this month included; months without a sale are there with zeros.</summary>
    public async Task<Figure> MonthlyAsync(long productId, CancellationToken cancellationToken)
    {
        var (from, first, today, offset) = Window();
        var sums = await Sold(from).Where(x => x.ProductId == productId)
            .Select(x => new { At = x.OrderedAt.AddMinutes(offset), x.Quantity, x.Amount })
            .GroupBy(x => new { x.At.Year, x.At.Month })
            .Select(g => new { g.Key.Year, g.Key.Month, Units = g.Sum(x => x.Quantity), Revenue = g.Sum(x => x.Amount) })
            .ToListAsync(cancellationToken);
        var rows = new List<Figure.Row>(Months);
        for (var month = first; month <= today; month = month.AddMonths(1))
        {
            var sum = sums.FirstOrDefault(s => s.Year == month.Year && s.Month == month.Month);
            rows.Add(new Figure.Row(month.ToString("yyyy-MM", CultureInfo.InvariantCulture), [sum?.Units ?? 0, (double)(sum?.Revenue ?? 0)]));
        }
        return new Figure("product-sales", "month", ["units", "revenue"], rows);
    }

    /// <summary>The customers who bought the most of it in the last twelve months, most units first.</summary>
    public async Task<IReadOnlyList<ProductBuyer>> TopBuyersAsync(long productId, int take, CancellationToken cancellationToken)
    {
        var top = await Sold(Since()).Where(x => x.ProductId == productId)
            .GroupBy(x => x.CustomerId)
            .Select(g => new { CustomerId = g.Key, Units = g.Sum(x => x.Quantity), Amount = g.Sum(x => x.Amount), Last = g.Max(x => x.OrderedAt) })
            .OrderByDescending(x => x.Units).ThenByDescending(x => x.Last).ThenBy(x => x.CustomerId)
            .Take(take).ToListAsync(cancellationToken);
        var ids = top.Select(t => t.CustomerId).ToList();
        var names = await db.Customers.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, cancellationToken);
        return [.. top.Select(t => new ProductBuyer(t.CustomerId, names.GetValueOrDefault(t.CustomerId, "#" + t.CustomerId), t.Units, t.Amount, t.Last))];
    }

    private (DateTime From, DateTime First, DateTime Today, int Offset) Window()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var offset = (int)time.Zone.GetUtcOffset(now).TotalMinutes;
        var today = time.Local(now).Date;
        var first = new DateTime(today.Year, today.Month, 1).AddMonths(1 - Months);
        return (DateTime.SpecifyKind(first.AddMinutes(-offset), DateTimeKind.Utc), first, today, offset);
    }

    /// <summary>
    /// Every order line sold since <paramref name="since"/>, left out when its order was cancelled or returned: the one place
    /// that says what counts as sold, for the product list, a product's months and its buyers.
    /// </summary>
    public IQueryable<ProductSale> Sold(DateTime since) =>
        from l in db.OrderLines
        join o in db.Orders on l.OrderId equals o.Id
        where o.OrderedAt >= since && o.Status != OrderStatus.Cancelled && o.Status != OrderStatus.Returned
        select new ProductSale { ProductId = l.ProductId, CustomerId = o.CustomerId, OrderedAt = o.OrderedAt, Quantity = l.Quantity, Amount = l.Quantity * l.UnitPrice };
}
