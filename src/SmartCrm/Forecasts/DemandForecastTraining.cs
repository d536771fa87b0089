using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Orders;
using SmartCrm.Storage;

namespace SmartCrm.Forecasts;

/// <summary>Units sold per product and week (cancelled orders left out), for every product sold in the window.</summary>
public sealed class DemandForecastTraining(IDbContextFactory<CrmDb> contexts, IOptions<ForecastsOptions> options, TimeProvider clock, ILogger<DemandForecastTraining> logger)
    : ForecastTraining(contexts, options, clock, logger)
{
    protected override string SeriesKind => ForecastKinds.Demand;

    protected override async Task<List<WeeklySeries>> ReadAsync(CrmDb db, DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var lines = await (from line in db.OrderLines
                           join order in db.Orders on line.OrderId equals order.Id
                           where order.Status != OrderStatus.Cancelled && order.OrderedAt >= start && order.OrderedAt < end
                           select new { order.OrderedAt, line.ProductId, line.Quantity }).ToListAsync(cancellationToken);
        var names = await db.Products.ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var weeks = Weeks.Index(start, end);
        return [.. lines.GroupBy(l => l.ProductId).OrderBy(g => g.Key).Select(g =>
        {
            var values = new double[weeks];
            foreach (var line in g) values[Weeks.Index(start, line.OrderedAt)] += line.Quantity;
            return new WeeklySeries(g.Key, names.GetValueOrDefault(g.Key, $"#{g.Key}"), start, values);
        })];
    }
}
