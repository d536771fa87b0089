using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace SmartCrm.Knowledge;

/// <summary>Where an answer came from.</summary>
public sealed record AnswerSource(long ArticleId, string Title, int Version);

/// <summary>
/// The assistant's reply: an answer with its confidence and source, or a hand-off to a person with the ticket it opened.
/// </summary>
public sealed record AssistantAnswer
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Answer { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Confidence { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public AnswerSource? Source { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Handoff { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? TicketId { get; init; }
}

/// <summary>A question to the assistant; a name and an e-mail address let the hand-off ticket reach the right customer.</summary>
public sealed record AssistantQuestion
{
    [Required, MaxLength(2000)] public string? Question { get; init; }
    [MaxLength(200)] public string? Name { get; init; }
    [MaxLength(254), EmailAddress] public string? Email { get; init; }
}
