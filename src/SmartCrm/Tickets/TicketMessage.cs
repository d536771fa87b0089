using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Tickets;

/// <summary>Reply: public, sent to the customer. Note: internal, agents only. Inbound: what the customer wrote.</summary>
public enum MessageKind { Reply, Note, Inbound }

/// <summary>One entry of a ticket's conversation.</summary>
public sealed class TicketMessage
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public MessageKind Kind { get; set; }
    [MaxLength(100)] public string? Author { get; set; }
    /// <summary>Plain text as written: HTML arrives and stays as text, and pages show it escaped.</summary>
    [MaxLength(8000)] public required string Body { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The interaction on the customer's timeline that records this message (replies and inbound messages).</summary>
    public long? InteractionId { get; set; }
    /// <summary>The channel's own id of the message (an email's Message-ID, a chat message id), to refuse it twice.</summary>
    [MaxLength(200)] public string? ExternalId { get; set; }
}
