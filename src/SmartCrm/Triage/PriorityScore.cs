using SmartCrm.Alarms;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>What the priority score of a ticket is made of, besides its text.</summary>
public sealed record PriorityFacts
{
    /// <summary>Paid orders of the customer over the last twelve months.</summary>
    public decimal CustomerValue { get; init; }

    /// <summary>When the ticket's answer is due (its SLA), if it has a due time.</summary>
    public DateTime? DueAt { get; init; }

    public DateTime Now { get; init; }

    /// <summary>Severities of the open alarms on the customer's devices.</summary>
    public IReadOnlyList<AlarmSeverity> OpenAlarms { get; init; } = [];
}

/// <summary>
/// A ticket's priority from 0 to 100: 20 to start with, plus urgency cues in the text (the strongest counts in full, the others
/// half), a negative mood, the customer's value, the SLA clock and open alarms of the customer's devices. Each addition is a
/// reason shown to the agent. 75 and up is Urgent, 50 High, 25 Normal, below that Low.
/// </summary>
public sealed record PriorityScore(int Score, Priority Priority, IReadOnlyList<PriorityReason> Reasons)
{
    public const int Start = 20;

    public static PriorityScore Of(IReadOnlyList<UrgencyCue> cues, Sentiment sentiment, PriorityFacts facts)
    {
        var reasons = new List<PriorityReason>();
        for (var i = 0; i < cues.Count; i++)
        {
            // Several cues of one message say the same thing louder, not twice as urgent.
            var points = i == 0 ? cues[i].Points : cues[i].Points / 2;
            reasons.Add(new PriorityReason("text", $"\"{cues[i].Phrase}\" ({cues[i].Why})", points));
        }
        if (sentiment.Mood == Mood.Negative) reasons.Add(new PriorityReason("sentiment", $"negative ({string.Join(", ", sentiment.Words.Take(3))})", 10));
        if (facts.CustomerValue >= 5000) reasons.Add(new PriorityReason("customer value", $"{facts.CustomerValue:0} paid in 12 months", 15));
        else if (facts.CustomerValue >= 1000) reasons.Add(new PriorityReason("customer value", $"{facts.CustomerValue:0} paid in 12 months", 8));
        if (facts.DueAt is { } due)
        {
            if (due <= facts.Now) reasons.Add(new PriorityReason("sla", "answer overdue", 25));
            else if (due - facts.Now <= TimeSpan.FromHours(2)) reasons.Add(new PriorityReason("sla", "answer due within 2 hours", 10));
        }
        foreach (var severity in facts.OpenAlarms.Distinct().OrderByDescending(s => s))
        {
            var points = severity switch { AlarmSeverity.Critical => 30, AlarmSeverity.Major => 20, AlarmSeverity.Minor => 10, _ => 5 };
            var count = facts.OpenAlarms.Count(s => s == severity);
            reasons.Add(new PriorityReason("device alarm", $"{count} open {severity.ToString().ToLowerInvariant()} alarm{(count == 1 ? "" : "s")}", points));
        }
        var score = Math.Clamp(Start + reasons.Sum(r => r.Points), 0, 100);
        var priority = score >= 75 ? Priority.Urgent : score >= 50 ? Priority.High : score >= 25 ? Priority.Normal : Priority.Low;
        return new PriorityScore(score, priority, reasons);
    }
}
