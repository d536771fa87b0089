using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using SmartCrm.Alarms;
using SmartCrm.Analytics.Clustering;
using SmartCrm.Customers;
using SmartCrm.Insights;
using SmartCrm.Interactions;
using SmartCrm.Orders;
using SmartCrm.Recommendations;
using SmartCrm.Sales;
using SmartCrm.Storage;
using SmartCrm.Tickets;
using SmartCrm.Web;

namespace SmartCrm.Overview;

/// <summary>Reads a <see cref="Customer360"/>: a dozen small queries on one connection, compiled once.</summary>
public sealed class Customer360Reader(CrmDb db, ValueBreakpoints breakpoints, TimeProvider clock, ChurnReader churnReader,
    CustomerRecommendations recommendationReader, IStringLocalizer<Strings> l)
{
    public const int RecentCount = 20;

    /// <summary>
    /// The customer's 360, or null. <paramref name="shownTo"/>: the person the console shows it to, whose first sight today
    /// of each recommendation is recorded in this request (a program reading the API, or a reader who cannot act on them, is none).
    /// </summary>
    public async Task<Customer360?> ReadAsync(long id, CancellationToken cancellationToken, string? shownTo = null)
    {
        // One connection for the dozen queries: EF otherwise opens and closes one per query.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await ReadOpenAsync(id, shownTo, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>What the console's timeline shows beyond the view: the customer's latest tickets, open or not, and alarms.</summary>
    public async Task<(List<Ticket> Tickets, List<Alarm> Alarms)> TimelineAsync(long id, CancellationToken cancellationToken)
    {
        var queries = Queries.For(db);
        return (await ListAsync(queries.RecentTickets(db, id), cancellationToken), await ListAsync(queries.RecentAlarms(db, id), cancellationToken));
    }

    private async Task<Customer360?> ReadOpenAsync(long id, string? shownTo, CancellationToken cancellationToken)
    {
        var queries = Queries.For(db);
        var customer = await queries.Customer(db, id, cancellationToken);
        if (customer is null) return null;
        var totals = await queries.Totals(db, id, cancellationToken);
        var interactions = await ListAsync(queries.Interactions(db, id), cancellationToken);
        var orders = await ListAsync(queries.Orders(db, id), cancellationToken);
        var tickets = await ListAsync(queries.OpenTickets(db, id), cancellationToken);
        var opportunities = await ListAsync(queries.Opportunities(db, id), cancellationToken);
        var consents = await ListAsync(queries.Consents(db, id), cancellationToken);
        var notes = await ListAsync(queries.Notes(db, id), cancellationToken);
        var ownDevices = await ListAsync(queries.Devices(db, id), cancellationToken);
        // Severities are stored as names, so the worst one is found here, not by the database's MAX.
        var openAlarms = await ListAsync(queries.OpenAlarms(db, id), cancellationToken);
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
            var r = Rfm.QuintileScore(b.RecencyDays, recencyDays, higherIsBetter: false);
            var f = Rfm.QuintileScore(b.Frequency, totals.Count, higherIsBetter: true);
            var m = Rfm.QuintileScore(b.Monetary, (double)totals.Sum, higherIsBetter: true);
            value = new CustomerValue(totals.Sum, totals.Count, totals.First, totals.Last, Math.Round(totals.Sum / totals.Count, 2),
                recencyDays, r, f, m, $"{r}{f}{m}");
        }
        var sources = await ListAsync(queries.Sources(db, id), cancellationToken);
        var merges = await ListAsync(queries.Merges(db, id), cancellationToken);
        var duplicates = await queries.OpenDuplicates(db, id, cancellationToken);
        // Stored by the churn model's training job: one row read, nothing computed here.
        var churn = await churnReader.ReadAsync(id, cancellationToken);
        // Stored by the recommendations model's training job, likewise.
        var recommendations = await recommendationReader.ReadAsync(id, CustomerRecommendations.Shown, shownTo, cancellationToken);
        var actions = NextBestActions.Rank(tickets, churn, devices, opportunities, now, l, recommendations.Count > 0 ? recommendations[0] : null);
        return new Customer360(customer, value, interactions, orders, tickets, opportunities, consents, notes, devices, Quality(customer, sources, duplicates), merges, sources,
            customer.Segment, churn, actions, recommendations);
    }

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var row in rows.WithCancellation(cancellationToken)) list.Add(row);
        return list;
    }

    private sealed record OrderTotals(int Count, decimal Sum, DateTime First, DateTime Last);

    private sealed record OwnDevice(long Id, string Name, string? Model, string? Serial, bool Online, DateTime? LastSeenAt);

    private sealed record OpenAlarm(long DeviceId, AlarmSeverity Severity);

    /// <summary>
    /// The view's queries compiled once: EF otherwise rebuilds and looks up each query's cache key on every call, which cost
    /// more than running the query for a view of a dozen small reads.
    /// </summary>
    private sealed class Queries
    {
        private static readonly PerModel<Queries> ByModel = new(() => new Queries());

        public static Queries For(CrmDb db) => ByModel.For(db);

        public readonly Func<CrmDb, long, CancellationToken, Task<Customer?>> Customer = EF.CompileAsyncQuery(
            (CrmDb db, long id, CancellationToken _) => db.Customers.Include(c => c.Contacts).FirstOrDefault(c => c.Id == id));

        public readonly Func<CrmDb, long, CancellationToken, Task<OrderTotals?>> Totals = EF.CompileAsyncQuery(
            (CrmDb db, long id, CancellationToken _) => db.Orders.Where(o => o.CustomerId == id && o.Status != OrderStatus.Cancelled)
                .GroupBy(o => o.CustomerId)
                .Select(g => new OrderTotals(g.Count(), g.Sum(o => o.Total), g.Min(o => o.OrderedAt), g.Max(o => o.OrderedAt)))
                .FirstOrDefault());

        public readonly Func<CrmDb, long, IAsyncEnumerable<Interaction>> Interactions = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Interactions.Where(i => i.CustomerId == id).OrderByDescending(i => i.OccurredAt).Take(RecentCount));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Order>> Orders = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Orders.Include(o => o.Lines).Where(o => o.CustomerId == id).OrderByDescending(o => o.OrderedAt).Take(RecentCount));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Ticket>> OpenTickets = EF.CompileAsyncQuery<CrmDb, long, Ticket>(
            (CrmDb db, long id) => db.Tickets.Where(t => t.CustomerId == id && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
                .OrderByDescending(t => t.CreatedAt));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Ticket>> RecentTickets = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Tickets.Where(t => t.CustomerId == id).OrderByDescending(t => t.CreatedAt).Take(RecentCount));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Alarm>> RecentAlarms = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Alarms.Where(a => a.CustomerId == id).OrderByDescending(a => a.StartedAt).Take(RecentCount));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Opportunity>> Opportunities = EF.CompileAsyncQuery<CrmDb, long, Opportunity>(
            (CrmDb db, long id) => db.Opportunities.Where(o => o.CustomerId == id).OrderByDescending(o => o.UpdatedAt));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Consent>> Consents = EF.CompileAsyncQuery<CrmDb, long, Consent>(
            (CrmDb db, long id) => db.Consents.Where(c => c.CustomerId == id).OrderBy(c => c.Purpose));

        public readonly Func<CrmDb, long, IAsyncEnumerable<Note>> Notes = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Notes.Where(n => n.CustomerId == id).OrderByDescending(n => n.CreatedAt).Take(RecentCount));

        public readonly Func<CrmDb, long, IAsyncEnumerable<OwnDevice>> Devices = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Devices.Where(d => d.CustomerId == id).OrderBy(d => d.Name)
                .Select(d => new OwnDevice(d.Id, d.Name, d.Model, d.Serial, d.Online, d.LastSeenAt)));

        public readonly Func<CrmDb, long, IAsyncEnumerable<OpenAlarm>> OpenAlarms = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.Alarms.Where(a => a.CustomerId == id && a.ClearedAt == null).Select(a => new OpenAlarm(a.DeviceId, a.Severity)));

        public readonly Func<CrmDb, long, IAsyncEnumerable<CustomerSource>> Sources = EF.CompileAsyncQuery<CrmDb, long, CustomerSource>(
            (CrmDb db, long id) => db.CustomerSources.Where(s => s.CustomerId == id).OrderBy(s => s.System).ThenBy(s => s.ExternalId));

        public readonly Func<CrmDb, long, IAsyncEnumerable<CustomerMerge>> Merges = EF.CompileAsyncQuery(
            (CrmDb db, long id) => db.CustomerMerges.Where(m => m.SurvivorId == id || m.MergedId == id).OrderByDescending(m => m.At).Take(RecentCount));

        public readonly Func<CrmDb, long, CancellationToken, Task<int>> OpenDuplicates = EF.CompileAsyncQuery(
            (CrmDb db, long id, CancellationToken _) => db.DuplicateCandidates.Count(d => (d.CustomerId == id || d.OtherId == id) && d.Status == CandidateStatus.Open));
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
