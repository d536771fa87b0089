using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Tickets;

/// <summary>
/// A queue of tickets, e.g. refunds, or everything that arrives by WeChat. A new ticket joins the first queue (by position) whose
/// conditions it meets: each condition left empty matches anything. Agents whose skills name the queue are the ones routed to it.
/// </summary>
public sealed class TicketQueue
{
    public long Id { get; set; }
    [MaxLength(50)] public required string Name { get; set; }
    public int Position { get; set; }
    public TicketKind? Kind { get; set; }
    /// <summary>The channel tickets arrive by (email, chat, wechat, …).</summary>
    [MaxLength(20)] public string? Channel { get; set; }
    /// <summary>The category triage gave the ticket.</summary>
    [MaxLength(100)] public string? Category { get; set; }

    /// <summary>Whether a ticket of this kind, channel and category (null when not known yet) belongs here.</summary>
    public bool Matches(TicketKind kind, string? channel, string? category) =>
        (Kind is null || Kind == kind)
        && (Channel is null || string.Equals(Channel, channel, StringComparison.OrdinalIgnoreCase))
        && (Category is null || string.Equals(Category, category, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first queue by position that a ticket belongs to, or null.</summary>
    public static TicketQueue? For(IEnumerable<TicketQueue> queues, TicketKind kind, string? channel, string? category) =>
        queues.OrderBy(q => q.Position).ThenBy(q => q.Id).FirstOrDefault(q => q.Matches(kind, channel, category));
}
