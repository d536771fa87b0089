using System.ComponentModel.DataAnnotations;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Security;

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

    public void ApplyTo(Ticket ticket, TimeProvider clock)
    {
        ticket.CustomerId = CustomerId!.Value;
        ticket.Kind = Kind!.Value;
        ticket.Status = Status ?? TicketStatus.New;
        ticket.Priority = Priority ?? Tickets.Priority.Normal;
        ticket.Subject = Subject!.Trim();
        ticket.Description = Normalise.Text(Description);
        ticket.Assignee = Normalise.Text(Assignee);
        ticket.DueAt = DueAt?.ToUniversalTime() ?? ticket.DueAt ?? clock.GetUtcNow().UtcDateTime.Add(Sla.ResponseTime(ticket.Priority));
    }
}

public static class TicketsApi
{
    public static IEndpointRouteBuilder MapTicketsApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        api.MapRecords("/tickets", new RecordRules<Ticket, TicketInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.TicketsWrite,
            Create = input => { var t = new Ticket { Subject = "" }; input.ApplyTo(t, clock); return t; },
            Apply = (input, ticket) => input.ApplyTo(ticket, clock),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            Search = (query, text, _) => query.Where(t => t.Subject.Contains(text)),
        });
        return api;
    }
}
