using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Chat;

/// <summary>Customer: what the visitor wrote. Assistant: the FAQ assistant's answer. Handoff: the chat went to a person.</summary>
public enum ChatEntryKind { Customer, Assistant, Handoff }

/// <summary>
/// One line of a chat as the visitor and the assistant wrote it. Agents' replies are not copied here: they are the public
/// replies of the chat's tickets, read from there.
/// </summary>
public sealed class ChatEntry
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public ChatEntryKind Kind { get; set; }
    /// <summary>Plain text as written; pages show it escaped.</summary>
    [MaxLength(8000)] public required string Body { get; set; }
    /// <summary>The question an assistant's answer answers.</summary>
    [MaxLength(2000)] public string? Question { get; set; }
    public long? ArticleId { get; set; }
    [MaxLength(300)] public string? ArticleTitle { get; set; }
    public double? Confidence { get; set; }
    /// <summary>The ticket a customer's line went to (after a hand-off).</summary>
    public long? TicketId { get; set; }
    /// <summary>An agent's mark on an assistant's answer.</summary>
    public bool? Helpful { get; set; }
    public DateTime CreatedAt { get; set; }
}
