using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>A triage decision as the API shows it: the reasons as a list, the top terms as a list.</summary>
public sealed record TriageView(
    long TicketId, string Category, string PredictedCategory, double Margin, IReadOnlyList<string> TopTerms, double Sentiment, Mood Mood,
    int Score, Priority SuggestedPriority, IReadOnlyList<PriorityReason> Reasons, long? ModelVersion, DateTime DecidedAt, string? CorrectedBy,
    DateTime? CorrectedAt)
{
    public static TriageView Of(TriageDecision d) => new(
        d.TicketId, d.Category, d.PredictedCategory, d.Margin,
        // Decisions stored before function words were left out of the terms may still hold some.
        string.IsNullOrEmpty(d.TopTerms) ? [] : d.TopTerms.Split(", ", StringSplitOptions.RemoveEmptyEntries).Where(t => !FunctionWords.Only(t)).ToList(),
        d.Sentiment, d.Mood, d.Score, d.SuggestedPriority,
        JsonSerializer.Deserialize<List<PriorityReason>>(d.Reasons, TicketTriage.ReasonJson) ?? [],
        d.ModelVersion, d.DecidedAt, d.CorrectedBy, d.CorrectedAt);
}

/// <summary>An agent's category for a ticket (PUT /api/v1/tickets/{id}/triage).</summary>
public sealed record TriageCorrection
{
    [Required, MaxLength(100)] public string? Category { get; init; }
}
