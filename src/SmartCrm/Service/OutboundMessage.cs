using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Service;

public enum OutboundStatus { Pending, Sent }

/// <summary>
/// A reply on its way out through its channel's adapter (the outbox): written in the same transaction as the reply, so it is
/// never lost; sent at once and, when the channel fails, retried later with growing waits until it goes.
/// </summary>
public sealed class OutboundMessage
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public long TicketMessageId { get; set; }
    [MaxLength(20)] public required string Channel { get; set; }
    /// <summary>Where it goes: an email address, or the channel's id of the customer (a chat or WeChat user).</summary>
    [MaxLength(254)] public required string Recipient { get; set; }
    [MaxLength(300)] public required string Subject { get; set; }
    [MaxLength(8000)] public required string Body { get; set; }
    public OutboundStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    [MaxLength(1000)] public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
}
