using SmartCrm.Tickets;

namespace SmartCrm.Tests.Tickets;

public sealed class SlaTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    private static Ticket NewTicket(Priority priority, CustomerTier tier = CustomerTier.Standard)
    {
        var ticket = new Ticket { Subject = "s", Priority = priority, Tier = tier, CreatedAt = T0 };
        Sla.Start(ticket, T0);
        return ticket;
    }

    [Fact]
    public void Due_times_follow_the_policy_of_priority_and_tier()
    {
        var standard = NewTicket(Priority.High);
        standard.FirstResponseDueAt.ShouldBe(T0.AddHours(2));
        standard.DueAt.ShouldBe(T0.AddHours(8));
        var premium = NewTicket(Priority.High, CustomerTier.Premium);
        premium.FirstResponseDueAt.ShouldBe(T0.AddHours(1), "premium customers are answered in half the time");
        premium.DueAt.ShouldBe(T0.AddHours(4));
        Sla.Defaults.Count.ShouldBe(8);
        Sla.TierOf(["installer", "VIP"]).ShouldBe(CustomerTier.Premium);
        Sla.TierOf(["installer"]).ShouldBe(CustomerTier.Standard);
    }

    [Fact]
    public void A_clock_runs_warns_in_its_last_quarter_and_breaches_after_its_due_time()
    {
        var ticket = NewTicket(Priority.Urgent); // first response 1 h, resolution 4 h
        Sla.Read(ticket, T0.AddMinutes(30)).FirstResponse.State.ShouldBe(SlaState.Running);
        var warned = Sla.Read(ticket, T0.AddMinutes(50));
        warned.FirstResponse.State.ShouldBe(SlaState.Warning);
        warned.BreachWarning.ShouldBeTrue();
        warned.Breached.ShouldBeFalse();
        var late = Sla.Read(ticket, T0.AddMinutes(61));
        late.FirstResponse.State.ShouldBe(SlaState.Breached);
        late.FirstResponse.Left.ShouldBe(TimeSpan.FromMinutes(-1));
        late.Breached.ShouldBeTrue();
        late.Resolution.State.ShouldBe(SlaState.Running);
    }

    [Fact]
    public void Pending_stops_both_clocks_and_moves_the_due_times_on_by_the_time_waited()
    {
        var ticket = NewTicket(Priority.Normal); // first response 8 h, resolution 1 day
        ticket.MoveTo(TicketStatus.Pending, T0.AddHours(1));
        var waiting = Sla.Read(ticket, T0.AddHours(30));
        waiting.FirstResponse.State.ShouldBe(SlaState.Paused, "a day past the first-response due time, but the customer owes the answer");
        waiting.FirstResponse.Left.ShouldBe(TimeSpan.FromHours(7));
        waiting.Resolution.State.ShouldBe(SlaState.Paused);
        waiting.Breached.ShouldBeFalse();

        ticket.MoveTo(TicketStatus.Open, T0.AddHours(30));
        ticket.PausedAt.ShouldBeNull();
        ticket.FirstResponseDueAt.ShouldBe(T0.AddHours(8 + 29));
        ticket.DueAt.ShouldBe(T0.AddHours(24 + 29));
        Sla.Read(ticket, T0.AddHours(31)).FirstResponse.Left.ShouldBe(TimeSpan.FromHours(6));
    }

    [Fact]
    public void A_met_target_stays_met_and_a_late_one_stays_breached()
    {
        var ticket = NewTicket(Priority.Urgent);
        ticket.FirstRespondedAt = T0.AddMinutes(20);
        ticket.MoveTo(TicketStatus.Resolved, T0.AddHours(5));
        var clock = Sla.Read(ticket, T0.AddDays(3));
        clock.FirstResponse.State.ShouldBe(SlaState.Met);
        clock.Resolution.State.ShouldBe(SlaState.Breached, "resolved an hour after the 4-hour target");
        ticket.ResolvedAt.ShouldBe(T0.AddHours(5));

        ticket.MoveTo(TicketStatus.Open, T0.AddDays(3));
        ticket.ResolvedAt.ShouldBeNull("a reopened ticket is unresolved again");
    }
}
