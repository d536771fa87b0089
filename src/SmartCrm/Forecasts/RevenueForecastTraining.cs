using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Orders;
using SmartCrm.Storage;

namespace SmartCrm.Forecasts;

/// <summary>
/// Revenue per week (order totals, cancelled and returned orders left out) of every customer (subject 0) and of each segment
/// of the active segmentation, customers counted in the segment they are in now.
/// </summary>
public sealed class RevenueForecastTraining(IDbContextFactory<CrmDb> contexts, IOptions<ForecastsOptions> options, TimeProvider clock, ILogger<RevenueForecastTraining> logger)
    : ForecastTraining(contexts, options, clock, logger)
{
    protected override string SeriesKind => ForecastKinds.Revenue;

    protected override async Task<List<WeeklySeries>> ReadAsync(CrmDb db, DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var orders = await (from order in db.Orders
                            join customer in db.Customers on order.CustomerId equals customer.Id
                            where order.Status != OrderStatus.Cancelled && order.Status != OrderStatus.Returned && order.OrderedAt >= start && order.OrderedAt < end
                            select new { order.OrderedAt, order.Total, customer.Segment }).ToListAsync(cancellationToken);
        var weeks = Weeks.Index(start, end);
        var all = new double[weeks];
        var bySegment = new SortedDictionary<int, double[]>();
        foreach (var order in orders)
        {
            var week = Weeks.Index(start, order.OrderedAt);
            all[week] += (double)order.Total;
            if (order.Segment is not { } segment) continue;
            if (!bySegment.TryGetValue(segment, out var values)) bySegment[segment] = values = new double[weeks];
            values[week] += (double)order.Total;
        }
        if (orders.Count == 0) return [];
        // Labels are for programs and the CSV; the page names segments in the user's language.
        return [new WeeklySeries(0, "all", start, all), .. bySegment.Select(s => new WeeklySeries(s.Key, $"segment {s.Key}", start, s.Value))];
    }
}
