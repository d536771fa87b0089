using System.ComponentModel.DataAnnotations;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using Microsoft.EntityFrameworkCore;

namespace SmartCrm.Tickets;

public sealed record TicketInput
{
    [Required] public long? CustomerId { get; init; }
    [Required] public TicketKind? Kind { get; init; }
    public TicketStatus? Status { get; init; }
    public Priority? Priority { get; init; }
    [Required, MaxLength(300)] public string? Subject { get; init; }
    [MaxLength(8000)] public string? Description { get; init; }
    [MaxLength(100)] public string? Assignee { get; init; }
    public DateTime? DueAt { get; init; }
    /// <summary>The customer's tier, looked up from the customer before a new ticket is made (never taken from the request).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public CustomerTier? Tier { get; init; }
    /// <summary>The stored SLA policy for the new ticket's priority and tier, looked up with the tier.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public SlaPolicy? Policy { get; init; }
    /// <summary>The channel a new ticket arrived by (set by the inbox, never by the request).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string? Channel { get; init; }
    /// <summary>The queue a new ticket joins, chosen with the tier from the queues' conditions.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public long? QueueId { get; init; }

    public void ApplyTo(Ticket ticket, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var isNew = ticket.Id == 0 && ticket.FirstResponseDueAt is null;
        ticket.CustomerId = CustomerId!.Value;
        ticket.Kind = Kind!.Value;
        ticket.Priority = Priority ?? Tickets.Priority.Normal;
        ticket.Subject = Subject!.Trim();
        ticket.Description = Normalise.Text(Description);
        var assignee = Normalise.Text(Assignee);
        if (assignee != ticket.Assignee) ticket.AssignedAt = assignee is null ? null : now;
        ticket.Assignee = assignee;
        if (isNew)
        {
            ticket.Tier = Tier ?? CustomerTier.Standard;
            ticket.Channel = Channel;
            ticket.QueueId = QueueId;
            Sla.Start(ticket, now, DueAt?.ToUniversalTime(), Policy is { } p && p.Priority == ticket.Priority && p.Tier == ticket.Tier ? p : null);
        }
        else if (DueAt is { } due) ticket.DueAt = due.ToUniversalTime();
        ticket.MoveTo(Status ?? TicketStatus.New, now);
    }

    /// <summary>
    /// This input with the tier of its customer, the stored policy of that tier and its priority (for a new ticket's SLA) and its
    /// queue, the policies and queues as <paramref name="desk"/> holds them.
    /// </summary>
    public async Task<TicketInput> WithTierAsync(CrmDb db, DeskRules desk, CancellationToken cancellationToken)
    {
        var tags = await db.Customers.Where(c => c.Id == CustomerId).Select(c => c.Tags).FirstOrDefaultAsync(cancellationToken);
        var tier = Sla.TierOf(tags);
        var rules = await desk.CurrentAsync(db, cancellationToken);
        var policy = rules.Policies.GetValueOrDefault((Priority ?? Tickets.Priority.Normal, tier));
        // The category is not known before triage: queues that ask for one are joined after it.
        var queue = Kind is { } kind ? rules.QueueFor(kind, Channel, null, categoryKnown: false) : null;
        return this with { Tier = tier, Policy = policy, QueueId = queue?.Id };
    }
}

public static class TicketsApi
{
    public static IServiceCollection AddTickets(this IServiceCollection services) => services.AddSingleton<DeskRules>();

    public static IEndpointRouteBuilder MapTicketsApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        var desk = api.ServiceProvider.GetRequiredService<DeskRules>();
        api.MapRecords("/tickets", new RecordRules<Ticket, TicketInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.TicketsWrite,
            Create = input => { var t = new Ticket { Subject = "" }; input.ApplyTo(t, clock); return t; },
            Apply = (input, ticket) => input.ApplyTo(ticket, clock),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            InSegment = (query, segment, db) => query.InSegment(db.Customers, segment, t => t.CustomerId),
            Prepare = (input, db, cancellationToken) => input.WithTierAsync(db, desk, cancellationToken),
            Search = (query, text, _) => query.Where(t => t.Subject.Contains(text)),
        });
        return api;
    }
}
