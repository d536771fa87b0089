using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Tickets;

public enum TicketKind { Question, Refund, Return, Fault }

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
    public DateTime? DueAt { get; set; }
    /// <summary>The device alarm that opened this fault ticket; one ticket per alarm (a unique index), set by the alarm book only.</summary>
    public long? AlarmId { get; set; }

    public bool IsOpen => Status is not (TicketStatus.Resolved or TicketStatus.Closed);
}
