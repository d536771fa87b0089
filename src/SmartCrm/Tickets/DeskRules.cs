using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Tickets;

/// <summary>
/// The SLA policies and the queues as this node last read them. Every new ticket needs both (an inbound message, one opened by an
/// agent or by an alarm), and a company changes them a few times a year, so a ticket costs no query for them. A change made on
/// this node (the desk setup calls <see cref="Forget"/>) is seen by the next ticket; a change made on another node within
/// <see cref="ReadEvery"/> (a ticket opened here in between gets the previous targets or queue, as if it had arrived those
/// seconds earlier; tickets already open are not moved by a change anyway).
/// </summary>
public sealed class DeskRules(TimeProvider clock)
{
    public static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private volatile Rules? _current;
    private long _changes;

    /// <summary>The policies by priority and tier, and the queues in routing order (shared: read them, never change them).</summary>
    public sealed record Rules(IReadOnlyDictionary<(Priority, CustomerTier), SlaPolicy> Policies, IReadOnlyList<TicketQueue> Queues, DateTime ReadAt)
    {
        /// <summary>The queue a ticket of this kind and channel joins: its category is known (after triage) or null (before).</summary>
        public TicketQueue? QueueFor(TicketKind kind, string? channel, string? category, bool categoryKnown) =>
            TicketQueue.For(categoryKnown ? Queues : Queues.Where(q => q.Category is null), kind, channel, category);
    }

    public async Task<Rules> CurrentAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_current is { } current && now - current.ReadAt < ReadEvery && now >= current.ReadAt) return current;
        // A change on this node while these rows are read must not be overwritten by what was read before it.
        long changes;
        lock (_gate) changes = _changes;
        var policies = await db.SlaPolicies.AsNoTracking().ToListAsync(cancellationToken);
        var queues = await db.TicketQueues.AsNoTracking().ToListAsync(cancellationToken);
        var rules = new Rules(
            policies.GroupBy(p => (p.Priority, p.Tier)).ToDictionary(g => g.Key, g => g.OrderBy(p => p.Id).First()),
            queues.OrderBy(q => q.Position).ThenBy(q => q.Id).ToList(), now);
        lock (_gate)
        {
            if (_changes == changes) _current = rules;
        }
        return rules;
    }

    /// <summary>After a change to the policies or queues on this node: the next message reads them again.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _changes++;
            _current = null;
        }
    }
}
