using SmartCrm.Storage;

namespace SmartCrm.Tickets;

/// <summary>
/// The fault ticket a device's critical alarm opens for the device's owner: urgent, new, and made by the same rules as a ticket
/// a person opens (<see cref="TicketInput"/>: trimmed text, the due time of its priority's SLA).
/// </summary>
public static class FaultTicket
{
    /// <summary>
    /// Adds the ticket for alarm <paramref name="alarmId"/> to <paramref name="db"/>; the caller saves it (with whatever else belongs
    /// in the same transaction). The unique index on the ticket's alarm refuses a second ticket for one alarm, from any node.
    /// The customer's <paramref name="tier"/> sets the SLA, by the stored <paramref name="policy"/> of that tier for urgent tickets.
    /// </summary>
    public static Ticket Open(CrmDb db, long customerId, long alarmId, string subject, string description, TimeProvider clock,
        CustomerTier tier = CustomerTier.Standard, SlaPolicy? policy = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ticket = new Ticket { Subject = "", CreatedAt = now, UpdatedAt = now, AlarmId = alarmId };
        new TicketInput { Tier = tier, Policy = policy, CustomerId = customerId, Kind = TicketKind.Fault, Status = TicketStatus.New, Priority = Priority.Urgent, Subject = subject, Description = description }
            .ApplyTo(ticket, clock);
        db.Tickets.Add(ticket);
        return ticket;
    }
}
