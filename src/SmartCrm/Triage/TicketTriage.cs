using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Alarms;
using SmartCrm.Orders;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>
/// Triage of one stored ticket: its category by the active model, its mood, and a priority score from the text's urgency cues,
/// the customer's value, the SLA clock and the open alarms of the customer's devices, stored with the reasons. A ticket still
/// new whose suggested priority is higher than its own is raised to it; triage never lowers what a person or an alarm set.
/// </summary>
public sealed class TicketTriage(CrmDb db, TriageModels models, TimeProvider clock, ILogger<TicketTriage> logger)
{
    public static readonly JsonSerializerOptions ReasonJson = new(JsonSerializerDefaults.Web);

    /// <summary>The text triage reads: subject and description.</summary>
    public static string TextOf(string subject, string? description) =>
        string.IsNullOrWhiteSpace(description) ? subject.Trim() : subject.Trim() + "\n" + description.Trim();

    /// <summary>Triages ticket <paramref name="ticketId"/> and stores the decision; null when there is no such ticket.</summary>
    public async Task<TriageDecision?> TriageAsync(long ticketId, CancellationToken cancellationToken)
    {
        var ticket = await db.Tickets.AsTracking().FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
        if (ticket is null) return null;
        var decision = await DecideAsync(ticket, newTicket: false, newCustomer: false, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return decision;
    }

    /// <summary>
    /// Triages a stored, tracked <paramref name="ticket"/>: the decision is added (or updated) and the ticket raised, to be saved
    /// by the caller with the rest of its unit of work. Everything is read before anything changes, so when this throws nothing
    /// was changed and the caller can save the rest without a half-made decision.
    /// </summary>
    /// <param name="newTicket">The ticket was opened in this unit of work: it has no decision to read.</param>
    /// <param name="newCustomer">The customer was made for this very message (a lead): it has no orders or alarms to read.</param>
    public async Task<TriageDecision> DecideAsync(Ticket ticket, bool newTicket, bool newCustomer, CancellationToken cancellationToken)
    {
        var text = TextOf(ticket.Subject, ticket.Description);
        var (version, model) = await models.CurrentAsync(db, cancellationToken);
        var guess = model.Classify(text);
        var sentiment = Sentiment.Of(text);
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddYears(-1);
        var customer = newCustomer ? null : await CustomerFactsAsync(ticket.CustomerId, since, cancellationToken);
        var priority = PriorityScore.Of(UrgencyCue.In(text), sentiment, new PriorityFacts
        {
            CustomerValue = customer?.Value ?? 0,
            DueAt = ticket.IsOpen ? ticket.DueAt : null,
            Now = now,
            OpenAlarms = customer?.Alarms ?? [],
        });
        // A ticket opened in the caller's unit of work has EF's temporary key until it is saved: the decision names that one.
        var ticketId = db.Entry(ticket).Property(t => t.Id).CurrentValue;
        var decision = newTicket ? null : await db.Set<TriageDecision>().AsTracking().FirstOrDefaultAsync(d => d.TicketId == ticketId, cancellationToken);
        if (decision is null)
        {
            decision = new TriageDecision { TicketId = ticketId, Category = guess.Category, PredictedCategory = guess.Category, Reasons = "[]" };
            db.Add(decision);
        }
        // An agent's correction stands; the model's own guess is kept beside it.
        if (decision.CorrectedAt is null) decision.Category = guess.Category;
        decision.PredictedCategory = guess.Category;
        decision.Margin = guess.Margin;
        decision.TopTerms = Truncate(string.Join(", ", guess.TopTerms), 500);
        decision.Sentiment = sentiment.Score;
        decision.Mood = sentiment.Mood;
        decision.Score = priority.Score;
        decision.SuggestedPriority = priority.Priority;
        decision.Reasons = Truncate(JsonSerializer.Serialize(priority.Reasons, ReasonJson), 4000);
        decision.ModelVersion = version;
        decision.DecidedAt = now;
        if (ticket.Status == TicketStatus.New && priority.Priority > ticket.Priority) ticket.Priority = priority.Priority;
        logger.LogDebug("Ticket {Ticket} triaged: {Category}, score {Score}", ticketId, decision.Category, decision.Score);
        return decision;
    }

    private sealed record CustomerFacts(decimal Value, List<AlarmSeverity> Alarms);

    /// <summary>
    /// The customer's paid orders of the last twelve months and the severities of their open alarms, in one query (one round
    /// trip of an arriving message instead of two): the alarms as counts by severity, each a look-up by the customer's index.
    /// </summary>
    private async Task<CustomerFacts> CustomerFactsAsync(long customerId, DateTime since, CancellationToken cancellationToken)
    {
        var row = await db.Customers.Where(c => c.Id == customerId).Select(c => new
        {
            Value = db.Orders
                .Where(o => o.CustomerId == customerId && o.OrderedAt >= since && (o.Status == OrderStatus.Paid || o.Status == OrderStatus.Shipped || o.Status == OrderStatus.Delivered))
                .Sum(o => (decimal?)o.Total),
            Warning = db.Alarms.Count(a => a.CustomerId == customerId && a.ClearedAt == null && a.Severity == AlarmSeverity.Warning),
            Minor = db.Alarms.Count(a => a.CustomerId == customerId && a.ClearedAt == null && a.Severity == AlarmSeverity.Minor),
            Major = db.Alarms.Count(a => a.CustomerId == customerId && a.ClearedAt == null && a.Severity == AlarmSeverity.Major),
            Critical = db.Alarms.Count(a => a.CustomerId == customerId && a.ClearedAt == null && a.Severity == AlarmSeverity.Critical),
        }).FirstOrDefaultAsync(cancellationToken);
        if (row is null) return new CustomerFacts(0, []);
        var alarms = new List<AlarmSeverity>(row.Warning + row.Minor + row.Major + row.Critical);
        alarms.AddRange(Enumerable.Repeat(AlarmSeverity.Critical, row.Critical));
        alarms.AddRange(Enumerable.Repeat(AlarmSeverity.Major, row.Major));
        alarms.AddRange(Enumerable.Repeat(AlarmSeverity.Minor, row.Minor));
        alarms.AddRange(Enumerable.Repeat(AlarmSeverity.Warning, row.Warning));
        return new CustomerFacts(row.Value ?? 0, alarms);
    }

    /// <summary>An agent's category for the ticket: it becomes a training example for the next model.</summary>
    public async Task<TriageDecision?> CorrectAsync(long ticketId, string category, string actor, CancellationToken cancellationToken)
    {
        var decision = await db.Set<TriageDecision>().AsTracking().FirstOrDefaultAsync(d => d.TicketId == ticketId, cancellationToken);
        if (decision is null)
        {
            if (await TriageAsync(ticketId, cancellationToken) is null) return null;
            decision = await db.Set<TriageDecision>().AsTracking().FirstAsync(d => d.TicketId == ticketId, cancellationToken);
        }
        decision.Category = category.Trim();
        decision.CorrectedBy = actor;
        decision.CorrectedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return decision;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
