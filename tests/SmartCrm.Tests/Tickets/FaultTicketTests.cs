using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Tickets;

public sealed class FaultTicketTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void A_fault_ticket_is_urgent_new_and_due_by_the_urgent_sla_as_a_ticket_a_person_opens()
    {
        var now = new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
        using var db = SchemaScriptCommand.Model(postgres: false);

        var ticket = FaultTicket.Open(db, 42, 7, "  Heater: E4 overheating  ", "   ", new FixedClock(now));

        ticket.CustomerId.ShouldBe(42);
        ticket.AlarmId.ShouldBe(7, "linked to its alarm: the unique index allows one ticket per alarm");
        (ticket.Kind, ticket.Status, ticket.Priority).ShouldBe((TicketKind.Fault, TicketStatus.New, Priority.Urgent));
        ticket.Subject.ShouldBe("Heater: E4 overheating", "trimmed, as TicketInput does");
        ticket.Description.ShouldBeNull("blank text is no description, as TicketInput does");
        ticket.CreatedAt.ShouldBe(now.UtcDateTime);
        ticket.DueAt.ShouldBe(now.UtcDateTime + Sla.ResponseTime(Priority.Urgent));
        db.ChangeTracker.Entries<Ticket>().Single().Entity.ShouldBeSameAs(ticket, "added for the caller to save in its transaction");
    }
}
