using Microsoft.Extensions.Localization;
using SmartCrm.Alarms;
using SmartCrm.Insights;
using SmartCrm.Overview;
using SmartCrm.Sales;
using SmartCrm.Tickets;
using SmartCrm.Web;

namespace SmartCrm.Tests.Overview;

public sealed class NextBestActionsTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>English keys as they are: the ranking is what is tested here, the translations by the console tests.</summary>
    private sealed class Keys : IStringLocalizer<Strings>
    {
        public LocalizedString this[string name] => new(name, name);
        public LocalizedString this[string name, params object[] arguments] => new(name, string.Format(name, arguments));
        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
    }

    private static Ticket Ticket(long id, Priority priority, DateTime? due = null) =>
        new() { Id = id, CustomerId = 1, Subject = "s" + id, Kind = TicketKind.Fault, Priority = priority, Status = TicketStatus.Open, CreatedAt = Now.AddDays(-3), DueAt = due };

    [Fact]
    public void An_urgent_ticket_comes_before_a_critical_device_a_high_churn_risk_and_a_deal_and_each_says_why()
    {
        var churn = new ChurnInsight(0.8, "high", [new ChurnInsightReason("quietDays", 120, 1.2, true, "Devices silent for 120 days")], 1, Now);
        var devices = new List<DeviceHealth>
        {
            new(7, "Heater", "WH-50", "S1", true, Now, 1, AlarmSeverity.Critical),
            new(8, "Purifier", "AP-300", "S2", false, Now.AddDays(-10), 0, null),
        };
        var deal = new Opportunity { Id = 3, CustomerId = 1, Title = "Office", Stage = Stage.Proposal, Amount = 10_000, ExpectedClose = Now.AddDays(5) };
        var lost = new Opportunity { Id = 4, CustomerId = 1, Title = "Old", Stage = Stage.Lost, Amount = 1, ExpectedClose = Now };

        var actions = NextBestActions.Rank([Ticket(1, Priority.Low), Ticket(2, Priority.Urgent, Now.AddHours(-1))], churn, devices, [deal, lost], Now, new Keys());

        actions.Select(a => a.Kind).ShouldBe(["ticket", "device", "retention", "deal", "device", "ticket"]);
        actions[0].Title.ShouldContain("#2");
        actions[0].Why.ShouldContain("past due");
        actions[2].Why.ShouldContain("Devices silent for 120 days");
        actions[3].Why.ShouldContain("expected to close in 5 days");
        actions[4].Why.ShouldContain("Silent for 10 days");
        actions.ShouldNotContain(a => a.Title.Contains("Old"));
    }

    [Fact]
    public void A_low_churn_risk_asks_for_no_retention_call()
    {
        var churn = new ChurnInsight(0.1, "low", [], 1, Now);
        NextBestActions.Rank([], churn, [], [], Now, new Keys()).ShouldBeEmpty();
    }
}
