namespace SmartCrm.Tickets;

/// <summary>
/// How long a ticket may wait for an answer, by priority: a new ticket's due time (DueAt) is its creation plus this, unless
/// the ticket names one. Nothing yet watches the due times (no escalation, no paused clocks); the console and the API show them.
/// </summary>
public static class Sla
{
    public static TimeSpan ResponseTime(Priority priority) => priority switch
    {
        Priority.Urgent => TimeSpan.FromHours(4),
        Priority.High => TimeSpan.FromHours(8),
        Priority.Normal => TimeSpan.FromDays(1),
        _ => TimeSpan.FromDays(3),
    };
}
