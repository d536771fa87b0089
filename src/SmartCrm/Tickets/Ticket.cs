using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Tickets;

public enum TicketKind { Question, Refund, Return, Fault, Complaint }

public enum TicketStatus { New, Open, Pending, Resolved, Closed }

public enum Priority { Low, Normal, High, Urgent }

public sealed class Ticket
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public TicketKind Kind { get; set; }
    public TicketStatus Status { get; set; }
    public Priority Priority { get; set; }
    [MaxLength(300)] public required string Subject { get; set; }
    [MaxLength(8000)] public string? Description { get; set; }
    [MaxLength(100)] public string? Assignee { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>When the ticket must be resolved (the SLA's resolution target, moved on by the time it waited on the customer).</summary>
    public DateTime? DueAt { get; set; }
    /// <summary>The device alarm that opened this fault ticket; one ticket per alarm (a unique index), set by the alarm book only.</summary>
    public long? AlarmId { get; set; }
    /// <summary>The customer's tier when the ticket was opened: the SLA that applies (a later change of tier does not move promises made).</summary>
    public CustomerTier Tier { get; set; }
    /// <summary>When the first public reply is due; moved on like <see cref="DueAt"/> while the ticket is pending.</summary>
    public DateTime? FirstResponseDueAt { get; set; }
    public DateTime? FirstRespondedAt { get; set; }
    /// <summary>Since when the ticket waits on the customer (status Pending): the SLA clocks stand still from then.</summary>
    public DateTime? PausedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public DateTime? AssignedAt { get; set; }
    /// <summary>The channel the ticket came in by (email, chat, …), null when an agent opened it.</summary>
    [MaxLength(20)] public string? Channel { get; set; }
    /// <summary>The customer's satisfaction after close, 1 (bad) to 5 (very good).</summary>
    public int? Satisfaction { get; set; }
    [MaxLength(1000)] public string? SatisfactionComment { get; set; }
    /// <summary>The queue the ticket joined when it was opened (see <see cref="TicketQueue"/>).</summary>
    public long? QueueId { get; set; }
    /// <summary>The ticket this one was merged into: its conversation moved there, and this one is closed.</summary>
    public long? MergedIntoId { get; set; }

    public bool IsOpen => Status is not (TicketStatus.Resolved or TicketStatus.Closed);

    /// <summary>
    /// Changes the status and keeps the SLA clocks right: waiting on the customer (Pending) stops them, and leaving Pending moves
    /// both due times on by the time waited, so the agent is never charged for the customer's silence.
    /// </summary>
    public void MoveTo(TicketStatus status, DateTime now)
    {
        if (status == Status) return;
        if (PausedAt is { } paused)
        {
            var waited = now - paused;
            if (waited > TimeSpan.Zero)
            {
                if (DueAt is { } due) DueAt = due + waited;
                if (FirstRespondedAt is null && FirstResponseDueAt is { } first) FirstResponseDueAt = first + waited;
            }
            PausedAt = null;
        }
        if (status == TicketStatus.Pending) PausedAt = now;
        // A reopened ticket is unresolved again; its resolution time is the last one.
        ResolvedAt = status is TicketStatus.Resolved or TicketStatus.Closed ? ResolvedAt ?? now : null;
        Status = status;
    }
}
