using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Chat;

/// <summary>
/// An open chat ticket as the agents' chat console lists it: who, what, and triage's category, priority and reasons; waiting
/// when the customer wrote last.
/// </summary>
public sealed record WaitingChat(
    long TicketId, string Subject, long CustomerId, string CustomerName, TicketStatus Status, Priority Priority, string? Category, string? TopTerms, int? Score,
    Mood? Mood, IReadOnlyList<PriorityReason> Reasons, DateTime OpenedAt, DateTime LastMessageAt, bool Waiting);
