using System.ComponentModel.DataAnnotations;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>
/// What triage decided for a ticket, and why: the category (an agent may correct it, which makes the ticket a training
/// example), the mood, a priority score with the reasons that raised it, and the model version that chose the category.
/// One per ticket; triaging again replaces it, but keeps a correction.
/// </summary>
public sealed class TriageDecision
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    [MaxLength(100)] public required string Category { get; set; }
    /// <summary>What the model said, kept when an agent corrects <see cref="Category"/>.</summary>
    [MaxLength(100)] public required string PredictedCategory { get; set; }
    /// <summary>Score of the category over the runner-up (SVM decision values).</summary>
    public double Margin { get; set; }
    /// <summary>The terms of the text that weighed most for the category, comma-separated.</summary>
    [MaxLength(500)] public string? TopTerms { get; set; }
    public double Sentiment { get; set; }
    public Mood Mood { get; set; }
    public int Score { get; set; }
    public Priority SuggestedPriority { get; set; }
    /// <summary>The reasons of the score, as JSON: [{"signal","detail","points"}].</summary>
    [MaxLength(4000)] public required string Reasons { get; set; }
    public long? ModelVersion { get; set; }
    public DateTime DecidedAt { get; set; }
    [MaxLength(100)] public string? CorrectedBy { get; set; }
    public DateTime? CorrectedAt { get; set; }
}
