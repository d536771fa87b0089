using Microsoft.EntityFrameworkCore;
using SmartCrm.Alarms;
using SmartCrm.Interactions;
using SmartCrm.Orders;
using SmartCrm.Sales;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Customers;

/// <summary>Everything about one customer in one answer: the API's `/360` and the console's customer page.</summary>
public sealed record Customer360(
    Customer Profile,
    CustomerValue Value,
    IReadOnlyList<Interaction> RecentInteractions,
    IReadOnlyList<Order> Orders,
    IReadOnlyList<Ticket> OpenTickets,
    IReadOnlyList<Opportunity> Opportunities,
    IReadOnlyList<Consent> Consents,
    IReadOnlyList<Note> Notes,
    IReadOnlyList<DeviceHealth> Devices,
    DataQuality Quality,
    IReadOnlyList<CustomerMerge> MergeHistory,
    IReadOnlyList<CustomerSource> Sources);

/// <summary>
/// How good the record is: the share of profile fields filled, which are missing, when a source system last confirmed it,
/// which systems supplied each field, and how many possible duplicates wait for review.
/// </summary>
public sealed record DataQuality(double Completeness, IReadOnlyList<string> Missing, DateTime? LastVerifiedAt,
    IReadOnlyDictionary<string, IReadOnlyList<string>> FieldSources, int OpenDuplicates);

/// <summary>A customer's device as the 360 shows it: is it online, and is anything wrong with it.</summary>
public sealed record DeviceHealth(long Id, string Name, string? Model, string? Serial, bool Online, DateTime? LastSeenAt, int OpenAlarms, AlarmSeverity? WorstAlarm);

/// <summary>What a customer is worth: spend, frequency, recency, and RFM scores 1–5 against all customers (5 is best).</summary>
public sealed record CustomerValue(
    decimal TotalSpent, int OrderCount, DateTime? FirstOrder, DateTime? LastOrder, decimal AverageOrder,
    int? RecencyDays, int? Recency, int? Frequency, int? Monetary, string? Rfm);

public sealed class Customer360Reader(CrmDb db, ValueBreakpoints breakpoints, TimeProvider clock)
{
    public const int RecentCount = 20;

    public async Task<Customer360?> ReadAsync(long id, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.Include(c => c.Contacts).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null) return null;
        var totals = await db.Orders.Where(o => o.CustomerId == id && o.Status != OrderStatus.Cancelled)
            .GroupBy(o => o.CustomerId)
            .Select(g => new { Count = g.Count(), Sum = g.Sum(o => o.Total), First = g.Min(o => o.OrderedAt), Last = g.Max(o => o.OrderedAt) })
            .FirstOrDefaultAsync(cancellationToken);
        var interactions = await db.Interactions.Where(i => i.CustomerId == id).OrderByDescending(i => i.OccurredAt).Take(RecentCount).ToListAsync(cancellationToken);
        var orders = await db.Orders.Include(o => o.Lines).Where(o => o.CustomerId == id).OrderByDescending(o => o.OrderedAt).Take(RecentCount).ToListAsync(cancellationToken);
        var tickets = await db.Tickets.Where(t => t.CustomerId == id && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
            .OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken);
        var opportunities = await db.Opportunities.Where(o => o.CustomerId == id).OrderByDescending(o => o.UpdatedAt).ToListAsync(cancellationToken);
        var consents = await db.Consents.Where(c => c.CustomerId == id).OrderBy(c => c.Purpose).ToListAsync(cancellationToken);
        var notes = await db.Notes.Where(n => n.CustomerId == id).OrderByDescending(n => n.CreatedAt).Take(RecentCount).ToListAsync(cancellationToken);
        var ownDevices = await db.Devices.Where(d => d.CustomerId == id).OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, d.Model, d.Serial, d.Online, d.LastSeenAt }).ToListAsync(cancellationToken);
        // Severities are stored as names, so the worst one is found here, not by the database's MAX.
        var openAlarms = await db.Alarms.Where(a => a.CustomerId == id && a.ClearedAt == null).Select(a => new { a.DeviceId, a.Severity }).ToListAsync(cancellationToken);
        var devices = ownDevices.Select(d =>
        {
            var alarms = openAlarms.Where(a => a.DeviceId == d.Id).Select(a => a.Severity).ToList();
            return new DeviceHealth(d.Id, d.Name, d.Model, d.Serial, d.Online, d.LastSeenAt, alarms.Count, alarms.Count == 0 ? null : alarms.Max());
        }).ToList();

        var now = clock.GetUtcNow().UtcDateTime;
        CustomerValue value;
        if (totals is null)
        {
            value = new CustomerValue(0, 0, null, null, 0, null, null, null, null, null);
        }
        else
        {
            var recencyDays = (int)Math.Max(0, (now - totals.Last).TotalDays);
            var b = await breakpoints.GetAsync(cancellationToken);
            var r = 6 - ValueBreakpoints.Score(b.RecencyDays, recencyDays);
            var f = ValueBreakpoints.Score(b.Frequency, totals.Count);
            var m = ValueBreakpoints.Score(b.Monetary, (double)totals.Sum);
            value = new CustomerValue(totals.Sum, totals.Count, totals.First, totals.Last, Math.Round(totals.Sum / totals.Count, 2),
                recencyDays, r, f, m, $"{r}{f}{m}");
        }
        var sources = await db.CustomerSources.Where(s => s.CustomerId == id).OrderBy(s => s.System).ThenBy(s => s.ExternalId).ToListAsync(cancellationToken);
        var merges = await db.CustomerMerges.Where(m => m.SurvivorId == id || m.MergedId == id).OrderByDescending(m => m.At).Take(RecentCount).ToListAsync(cancellationToken);
        var duplicates = await db.DuplicateCandidates.CountAsync(d => (d.CustomerId == id || d.OtherId == id) && d.Status == CandidateStatus.Open, cancellationToken);
        return new Customer360(customer, value, interactions, orders, tickets, opportunities, consents, notes, devices, Quality(customer, sources, duplicates), merges, sources);
    }

    public static DataQuality Quality(Customer customer, IReadOnlyList<CustomerSource> sources, int openDuplicates)
    {
        var missing = CustomerMerger.ProfileFields.Where(f => f switch
        {
            "Name" => string.IsNullOrWhiteSpace(customer.Name),
            "Email" => customer.Email is null, "Phone" => customer.Phone is null, "Company" => customer.Company is null,
            "Country" => customer.Country is null, "City" => customer.City is null, _ => customer.Address is null,
        }).ToList();
        var fieldSources = CustomerMerger.ProfileFields.ToDictionary(f => f, f => (IReadOnlyList<string>)sources
            .Where(s => s.Fields is not null && s.Fields.Split(',').Contains(f)).Select(s => s.System).Distinct().ToList());
        return new DataQuality(
            Math.Round(1.0 - (double)missing.Count / CustomerMerger.ProfileFields.Length, 2), missing,
            sources.Count == 0 ? null : sources.Max(s => s.LastSeenAt), fieldSources, openDuplicates);
    }
}

/// <summary>
/// Quintile breakpoints of recency, frequency and spend over all customers with orders, recomputed every
/// ten minutes: scoring one customer must not scan every order.
/// </summary>
public sealed class ValueBreakpoints(IServiceScopeFactory scopes, TimeProvider clock) : IDisposable
{
    private static readonly double[] QuintileCuts = [0.2, 0.4, 0.6, 0.8];
    public sealed record Snapshot(double[] RecencyDays, double[] Frequency, double[] Monetary, DateTime ComputedAt);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _current;

    public async Task<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_current is { } fresh && now - fresh.ComputedAt < TimeSpan.FromMinutes(10)) return fresh;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && now - again.ComputedAt < TimeSpan.FromMinutes(10)) return again;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
            var rows = await db.Orders.Where(o => o.Status != OrderStatus.Cancelled).GroupBy(o => o.CustomerId)
                .Select(g => new { Last = g.Max(o => o.OrderedAt), Count = g.Count(), Sum = g.Sum(o => o.Total) })
                .ToListAsync(cancellationToken);
            _current = new Snapshot(
                Quintiles(rows.Select(r => Math.Max(0, (now - r.Last).TotalDays)).ToArray()),
                Quintiles(rows.Select(r => (double)r.Count).ToArray()),
                Quintiles(rows.Select(r => (double)r.Sum).ToArray()),
                now);
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>1..5: how many of the four cut points the value reaches (with ties, customers share a score).</summary>
    public static int Score(double[] cuts, double value)
    {
        var score = 1;
        foreach (var cut in cuts) if (value > cut) score++;
        return score;
    }

    private static double[] Quintiles(double[] values)
    {
        if (values.Length == 0) return [0, 0, 0, 0];
        Array.Sort(values);
        return [.. QuintileCuts.Select(q => values[(int)Math.Min(values.Length - 1, Math.Floor(q * values.Length))])];
    }
}
