using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Alarms;
using SmartCrm.Orders;
using SmartCrm.Sales;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Web;

/// <summary>
/// The dashboard's charts as numbers, each counted and summed by the database (GROUP BY), never by loading rows: the page
/// draws them and /dashboard/{name}.csv serves them. Months and days are the user's (<see cref="ConsoleTime"/>), taken at
/// today's offset from UTC: around a daylight-saving change a record within an hour of midnight may fall on the day beside.
/// </summary>
public sealed class DashboardFigures(CrmDb db, ConsoleTime time, TimeProvider clock)
{
    public static readonly string[] Names = ["pipeline", "revenue", "tickets", "fleet", "alarms"];

    public const int Months = 12;
    public const int Days = 30;

    public Task<Figure> ReadAsync(string name, CancellationToken cancellationToken) => name switch
    {
        "pipeline" => PipelineAsync(cancellationToken),
        "revenue" => RevenueAsync(cancellationToken),
        "tickets" => TicketsAsync(cancellationToken),
        "fleet" => FleetAsync(cancellationToken),
        "alarms" => AlarmsAsync(cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a dashboard figure."),
    };

    /// <summary>Open deals per stage: their number and amount.</summary>
    public async Task<Figure> PipelineAsync(CancellationToken cancellationToken)
    {
        var open = new[] { Stage.Lead, Stage.Qualified, Stage.Proposal, Stage.Negotiation };
        var sums = await db.Opportunities.Where(o => open.Contains(o.Stage))
            .GroupBy(o => o.Stage).Select(g => new { Stage = g.Key, Deals = g.Count(), Amount = g.Sum(o => o.Amount) })
            .ToListAsync(cancellationToken);
        return new Figure("pipeline", "stage", ["amount", "deals"], [.. open.Select(stage => sums.FirstOrDefault(s => s.Stage == stage) is { } s
            ? new Figure.Row(stage.ToString(), [(double)s.Amount, s.Deals])
            : new Figure.Row(stage.ToString(), [0, 0]))]);
    }

    /// <summary>Revenue and orders (cancelled ones left out) per month of the last twelve, this month included.</summary>
    public async Task<Figure> RevenueAsync(CancellationToken cancellationToken)
    {
        var (offset, today) = Today();
        var first = new DateTime(today.Year, today.Month, 1).AddMonths(1 - Months);
        var from = DateTime.SpecifyKind(first.AddMinutes(-offset), DateTimeKind.Utc);
        var sums = await db.Orders.Where(o => o.OrderedAt >= from && o.Status != OrderStatus.Cancelled)
            .Select(o => new { At = o.OrderedAt.AddMinutes(offset), o.Total })
            .GroupBy(o => new { o.At.Year, o.At.Month })
            .Select(g => new { g.Key.Year, g.Key.Month, Revenue = g.Sum(o => o.Total), Orders = g.Count() })
            .ToListAsync(cancellationToken);
        var rows = new List<Figure.Row>(Months);
        for (var month = first; month <= today; month = month.AddMonths(1))
        {
            var sum = sums.FirstOrDefault(s => s.Year == month.Year && s.Month == month.Month);
            rows.Add(new Figure.Row(month.ToString("yyyy-MM", CultureInfo.InvariantCulture), [(double)(sum?.Revenue ?? 0), sum?.Orders ?? 0]));
        }
        return new Figure("revenue", "month", ["revenue", "orders"], rows);
    }

    /// <summary>Every ticket by its state.</summary>
    public async Task<Figure> TicketsAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Tickets.GroupBy(t => t.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return new Figure("tickets", "state", ["tickets"],
            [.. Enum.GetValues<TicketStatus>().Select(s => new Figure.Row(s.ToString(), [counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0]))]);
    }

    /// <summary>Devices online and offline, and how many of them have an alarm that is not cleared.</summary>
    public async Task<Figure> FleetAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Devices.GroupBy(d => d.Online).Select(g => new { Online = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var alarming = await db.Alarms.Where(a => a.ClearedAt == null).Select(a => a.DeviceId).Distinct().CountAsync(cancellationToken);
        return new Figure("fleet", "health", ["devices"],
        [
            new Figure.Row("Online", [counts.FirstOrDefault(c => c.Online)?.Count ?? 0]),
            new Figure.Row("Offline", [counts.FirstOrDefault(c => !c.Online)?.Count ?? 0]),
            new Figure.Row("Alarming", [alarming]),
        ]);
    }

    /// <summary>Alarms raised per day of the last thirty, today included, by severity.</summary>
    public async Task<Figure> AlarmsAsync(CancellationToken cancellationToken)
    {
        var (offset, today) = Today();
        var first = today.AddDays(1 - Days);
        var from = DateTime.SpecifyKind(first.AddMinutes(-offset), DateTimeKind.Utc);
        var counts = await db.Alarms.Where(a => a.StartedAt >= from)
            .Select(a => new { At = a.StartedAt.AddMinutes(offset), a.Severity })
            .GroupBy(a => new { a.At.Year, a.At.Month, a.At.Day, a.Severity })
            .Select(g => new { g.Key.Year, g.Key.Month, g.Key.Day, g.Key.Severity, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var severities = Enum.GetValues<AlarmSeverity>().Reverse().ToArray();
        var rows = new List<Figure.Row>(Days);
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            rows.Add(new Figure.Row(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                [.. severities.Select(s => (double)counts.Where(c => c.Year == day.Year && c.Month == day.Month && c.Day == day.Day && c.Severity == s).Sum(c => c.Count))],
                day));
        }
        return new Figure("alarms", "day", [.. severities.Select(s => s.ToString().ToLowerInvariant())], rows);
    }

    /// <summary>The user's offset from UTC now, in minutes, and their date today.</summary>
    private (int Offset, DateTime Today) Today()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return ((int)time.Zone.GetUtcOffset(now).TotalMinutes, time.Local(now).Date);
    }
}
