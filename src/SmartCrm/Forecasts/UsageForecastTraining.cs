using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Orders;
using SmartCrm.Storage;

namespace SmartCrm.Forecasts;

/// <summary>
/// Hours of use per week of every device whose model has a consumable (the weekly mean of its daily-hours readings, times
/// seven), and when that consumable falls due. Devices silent for the last four weeks, or with under twelve weeks of readings,
/// are left out: their use cannot be told.
/// </summary>
public sealed class UsageForecastTraining(
    IDbContextFactory<CrmDb> contexts, DatabaseConnections connections, IOptions<ForecastsOptions> options, TimeProvider clock, ILogger<UsageForecastTraining> logger)
    : ForecastTraining(contexts, options, clock, logger)
{
    private const int MinWeeks = 12;
    private const int SilentWeeks = 4;

    protected override string SeriesKind => ForecastKinds.Usage;

    protected override async Task<List<WeeklySeries>> ReadAsync(CrmDb db, DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var rules = Settings.Consumables.Where(r => r.Model.Length > 0).GroupBy(r => r.Model).ToDictionary(g => g.Key, g => g.Last());
        if (rules.Count == 0) return [];
        var models = rules.Keys.ToList();
        var devices = await db.Devices.Where(d => d.Model != null && models.Contains(d.Model))
            .Select(d => new { d.Id, d.Name, d.Model, d.CustomerId, d.CreatedAt }).ToListAsync(cancellationToken);
        var readings = await ReadUsageAsync(start, end, cancellationToken);
        var skus = rules.Values.Where(r => r.Sku is not null).Select(r => r.Sku!).Distinct().ToList();
        var owners = devices.Where(d => d.CustomerId is not null).Select(d => d.CustomerId!.Value).Distinct().ToList();
        // Every purchase of a consumable by an owner of a device: the latest after the device's start is when it was last replaced.
        var purchases = (await (from line in db.OrderLines
                                join order in db.Orders on line.OrderId equals order.Id
                                join product in db.Products on line.ProductId equals product.Id
                                where order.Status != OrderStatus.Cancelled && skus.Contains(product.Sku) && order.OrderedAt < end
                                select new { order.CustomerId, product.Sku, order.OrderedAt }).ToListAsync(cancellationToken))
            .Where(p => owners.Contains(p.CustomerId)).ToLookup(p => (p.CustomerId, p.Sku));
        var weeks = Weeks.Index(start, end);
        var result = new List<WeeklySeries>();
        foreach (var device in devices.OrderBy(d => d.Id))
        {
            if (!readings.TryGetValue(device.Id, out var byWeek) || byWeek.Count == 0) continue;
            var firstWeek = byWeek.Keys.Min();
            var lastWeek = byWeek.Keys.Max();
            if (lastWeek < weeks - SilentWeeks || weeks - firstWeek < MinWeeks) continue;
            var values = new double[weeks - firstWeek];
            var carried = byWeek[firstWeek];
            for (var w = firstWeek; w < weeks; w++)
            {
                // A week without a reading (a missed upload) is taken as the week before it.
                if (byWeek.TryGetValue(w, out var hours)) carried = hours;
                values[w - firstWeek] = carried;
            }
            var rule = rules[device.Model!];
            var fitted = device.CreatedAt;
            if (device.CustomerId is { } owner && rule.Sku is not null)
            {
                var last = purchases[(owner, rule.Sku)].Where(p => p.OrderedAt >= device.CreatedAt).Select(p => p.OrderedAt).DefaultIfEmpty(device.CreatedAt).Max();
                fitted = last;
            }
            var first = start.AddDays(7 * firstWeek);
            // Fitted before the readings start: the time between is counted at the device's mean weekly use.
            var before = fitted < first ? (first - fitted).TotalDays / 7 * values.Average() : 0;
            result.Add(new WeeklySeries(device.Id, device.Name, first, values, new ConsumableWear(rule, fitted, before)));
        }
        return result;
    }

    /// <summary>Per device and week index: the mean daily hours of use read that week, times seven.</summary>
    private async Task<Dictionary<long, Dictionary<int, double>>> ReadUsageAsync(DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var sums = new Dictionary<long, Dictionary<int, (double Sum, int Count)>>();
        await using (var connection = await connections.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT t."DeviceId", t."Ts", t."Num"
                FROM telemetry t JOIN telemetry_keys k ON k."Id" = t."KeyId"
                WHERE k."Name" = @usage AND t."Ts" >= @from AND t."Ts" < @to AND t."Num" IS NOT NULL
                """;
            Add(command, "@usage", Settings.UsageKey);
            Add(command, "@from", new DateTimeOffset(start, TimeSpan.Zero).ToUnixTimeMilliseconds());
            Add(command, "@to", new DateTimeOffset(end, TimeSpan.Zero).ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var device = reader.GetInt64(0);
                var week = Weeks.Index(start, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)).UtcDateTime);
                if (!sums.TryGetValue(device, out var weeks)) sums[device] = weeks = [];
                var (sum, count) = weeks.GetValueOrDefault(week);
                weeks[week] = (sum + reader.GetDouble(2), count + 1);
            }
        }
        return sums.ToDictionary(d => d.Key, d => d.Value.ToDictionary(w => w.Key, w => Math.Max(0, w.Value.Sum / w.Value.Count) * 7));
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
