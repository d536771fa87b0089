using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

/// <summary>How a ticket without a named assignee finds one.</summary>
public enum AssignBy { Manual, RoundRobin, LeastBusy, Skill }

/// <summary>
/// What agents do with a ticket: reply (recorded on the customer's timeline as an interaction), note, assign, change status,
/// and record the customer's satisfaction after close. Every answer is the changed ticket, or the problem naming the field.
/// </summary>
public sealed class TicketDesk(CrmDb db, TimeProvider clock, ChannelOutbox outbox, TicketFeed feed, DeskRules desk, ILogger<TicketDesk> logger)
{
    public const int MaxBody = 8000;

    /// <summary>Who may be assigned tickets: active users whose role may work tickets, in name order.</summary>
    public async Task<List<string>> AgentsAsync(CancellationToken cancellationToken)
    {
        var roles = Enum.GetValues<Role>().Where(r => Permissions.Allows(r, Permissions.TicketsWrite)).ToList();
        return await db.Users.Where(u => u.Active && roles.Contains(u.Role)).OrderBy(u => u.UserName).Select(u => u.UserName).ToListAsync(cancellationToken);
    }

    public async Task<DeskResult> ReplyAsync(long ticketId, string? body, TicketStatus? then, CancellationToken cancellationToken)
    {
        if (CheckBody(body) is { } bad) return bad;
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        var now = Now;
        var text = body!.Trim();
        var subject = Shorten($"Re: #{ticket.Id} {ticket.Subject}", 300);
        // The reply goes on the customer's timeline as what it is: something the company sent the customer. A reply on a phone or
        // transcript ticket is a call back (CallBacks): it goes on the timeline when the agent has called, not before.
        Interaction? interaction = CallBacks.IsCall(ticket.Channel) ? null : new Interaction
        {
            CustomerId = ticket.CustomerId,
            Channel = ChannelOf(ticket),
            Direction = Direction.Outbound,
            Subject = subject,
            Body = text,
            OccurredAt = now,
            Agent = db.Actor.Name,
        };
        if (interaction is not null) db.Interactions.Add(interaction);
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await db.SaveChangesAsync(cancellationToken);
        var message = new TicketMessage { TicketId = ticket.Id, Kind = MessageKind.Reply, Author = db.Actor.Name, Body = text, CreatedAt = now, InteractionId = interaction?.Id };
        db.TicketMessages.Add(message);
        ticket.FirstRespondedAt ??= now;
        ticket.MoveTo(then ?? (ticket.Status == TicketStatus.New ? TicketStatus.Open : ticket.Status), now);
        await db.SaveChangesAsync(cancellationToken);
        // In the same transaction as the reply: once the reply is stored, so is the duty to send it.
        var queued = await outbox.EnqueueAsync(ticket, message, subject, cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        feed.Changed();
        logger.LogInformation("Reply on ticket {TicketId} recorded (interaction {InteractionId}) on channel {Channel}", ticket.Id, interaction?.Id, ChannelOf(ticket));
        if (queued is not null && transaction is not null) await outbox.TrySendAsync(queued.Id, cancellationToken);
        return DeskResult.Done(ticket);
    }

    public async Task<DeskResult> NoteAsync(long ticketId, string? body, CancellationToken cancellationToken)
    {
        if (CheckBody(body) is { } bad) return bad;
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        db.TicketMessages.Add(new TicketMessage { TicketId = ticket.Id, Kind = MessageKind.Note, Author = db.Actor.Name, Body = body!.Trim(), CreatedAt = Now });
        await db.SaveChangesAsync(cancellationToken);
        feed.Changed();
        return DeskResult.Done(ticket);
    }

    /// <summary>
    /// Assigns the ticket to <paramref name="assignee"/> (manual; blank unassigns), or, by round-robin or least busy, to one of
    /// <see cref="AgentsAsync"/>.
    /// </summary>
    public async Task<DeskResult> AssignAsync(long ticketId, string? assignee, AssignBy by, CancellationToken cancellationToken)
    {
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        var agents = await AgentsAsync(cancellationToken);
        string? chosen;
        if (by == AssignBy.Manual)
        {
            chosen = Normalise.Text(assignee);
            if (chosen is not null && !agents.Contains(chosen, StringComparer.Ordinal))
                return DeskResult.Invalid("assignee", $"'{Shorten(chosen, 100)}' is not an active user who may work tickets.");
        }
        else
        {
            if (agents.Count == 0) return DeskResult.Invalid("by", "There is no active user who may work tickets.");
            chosen = by switch
            {
                AssignBy.LeastBusy => await LeastBusyAsync(agents, cancellationToken),
                AssignBy.Skill => await BySkillAsync(ticket, agents, cancellationToken),
                _ => await NextInTurnAsync(agents, cancellationToken),
            };
        }
        if (chosen != ticket.Assignee)
        {
            ticket.Assignee = chosen;
            ticket.AssignedAt = chosen is null ? null : Now;
            await db.SaveChangesAsync(cancellationToken);
            feed.Changed();
        }
        return DeskResult.Done(ticket);
    }

    /// <summary>Puts the ticket in a queue by hand (null takes it out of any).</summary>
    public async Task<DeskResult> QueueAsync(long ticketId, long? queueId, CancellationToken cancellationToken)
    {
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        if (queueId is { } q && !await db.TicketQueues.AnyAsync(x => x.Id == q, cancellationToken)) return DeskResult.Invalid("queueId", $"No queue with id {q}.");
        ticket.QueueId = queueId;
        await db.SaveChangesAsync(cancellationToken);
        return DeskResult.Done(ticket);
    }

    /// <summary>
    /// Merges ticket <paramref name="sourceId"/> into <paramref name="targetId"/> (the same customer's): its conversation and
    /// anything still to be sent move over, and the source is closed with a link to the target and a note on each (the audit
    /// log keeps who did it and when). Answers the target.
    /// </summary>
    public async Task<DeskResult> MergeAsync(long sourceId, long? targetId, CancellationToken cancellationToken)
    {
        if (targetId is not { } into) return DeskResult.Invalid("into", "Name the ticket to merge into.");
        if (into == sourceId) return DeskResult.Invalid("into", "A ticket cannot be merged into itself.");
        var source = await FindAsync(sourceId, cancellationToken);
        if (source is null) return DeskResult.NotFound(sourceId);
        var target = await FindAsync(into, cancellationToken);
        if (target is null) return DeskResult.Invalid("into", $"No ticket with id {into}.");
        if (source.MergedIntoId is not null) return DeskResult.Conflict("id", $"Ticket #{source.Id} was already merged into #{source.MergedIntoId}.");
        if (target.MergedIntoId is not null) return DeskResult.Conflict("into", $"Ticket #{target.Id} was merged into #{target.MergedIntoId}; merge into that one.");
        if (source.CustomerId != target.CustomerId) return DeskResult.Conflict("into", "Only tickets of the same customer can be merged.");
        var now = Now;
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var moved = await db.TicketMessages.AsTracking().Where(m => m.TicketId == source.Id).ToListAsync(cancellationToken);
        foreach (var message in moved) message.TicketId = target.Id;
        foreach (var pending in await db.OutboundMessages.AsTracking().Where(m => m.TicketId == source.Id).ToListAsync(cancellationToken)) pending.TicketId = target.Id;
        var actor = db.Actor.Name;
        db.TicketMessages.Add(new TicketMessage { TicketId = target.Id, Kind = MessageKind.Note, Author = actor, CreatedAt = now, Body = $"Merged #{source.Id} \"{Shorten(source.Subject, 200)}\" into this ticket; messages moved: {moved.Count}." });
        db.TicketMessages.Add(new TicketMessage { TicketId = source.Id, Kind = MessageKind.Note, Author = actor, CreatedAt = now, Body = $"Merged into #{target.Id}." });
        source.MergedIntoId = target.Id;
        source.MoveTo(TicketStatus.Closed, now);
        // The earlier first reply counts for the merged ticket.
        if (source.FirstRespondedAt is { } answered && (target.FirstRespondedAt is null || answered < target.FirstRespondedAt)) target.FirstRespondedAt = answered;
        target.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        feed.Changed();
        logger.LogInformation("Ticket {Source} merged into {Target} ({Messages} messages moved)", source.Id, target.Id, moved.Count);
        return DeskResult.Done(target);
    }

    /// <summary>
    /// Splits message <paramref name="messageId"/> out of its ticket into a new ticket of the same customer, kind, priority,
    /// channel and queue, with its own SLA clocks from now; a note on each says where it went. Answers the new ticket.
    /// </summary>
    public async Task<DeskResult> SplitAsync(long ticketId, long? messageId, string? subject, CancellationToken cancellationToken)
    {
        if (messageId is not { } id) return DeskResult.Invalid("messageId", "Name the message to split out.");
        if (subject is { Length: > 300 }) return DeskResult.Invalid("subject", "At most 300 characters.");
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        var message = await db.TicketMessages.AsTracking().FirstOrDefaultAsync(m => m.Id == id && m.TicketId == ticketId, cancellationToken);
        if (message is null) return DeskResult.Invalid("messageId", $"Ticket #{ticketId} has no message {id}.");
        var input = await new TicketInput
        {
            CustomerId = ticket.CustomerId, Kind = ticket.Kind, Priority = ticket.Priority, Channel = ticket.Channel,
            Subject = Normalise.Text(subject) ?? Shorten(message.Body.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : message.Body, 120),
            Description = message.Body,
        }.WithTierAsync(db, desk, cancellationToken);
        var split = new Ticket { Subject = "" };
        input.ApplyTo(split, clock);
        split.QueueId = ticket.QueueId;
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        db.Tickets.Add(split);
        await db.SaveChangesAsync(cancellationToken);
        message.TicketId = split.Id;
        var now = Now;
        db.TicketMessages.Add(new TicketMessage { TicketId = split.Id, Kind = MessageKind.Note, Author = db.Actor.Name, CreatedAt = now, Body = $"Split from #{ticket.Id}." });
        db.TicketMessages.Add(new TicketMessage { TicketId = ticket.Id, Kind = MessageKind.Note, Author = db.Actor.Name, CreatedAt = now, Body = $"Split a message out into #{split.Id}." });
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        feed.Changed();
        return DeskResult.Done(split);
    }

    public async Task<DeskResult> MoveAsync(long ticketId, TicketStatus status, CancellationToken cancellationToken)
    {
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        ticket.MoveTo(status, Now);
        await db.SaveChangesAsync(cancellationToken);
        feed.Changed();
        return DeskResult.Done(ticket);
    }

    /// <summary>The customer's rating of a resolved or closed ticket, 1 to 5; a second rating replaces the first.</summary>
    public async Task<DeskResult> RateAsync(long ticketId, int? score, string? comment, CancellationToken cancellationToken)
    {
        if (score is not (>= 1 and <= 5)) return DeskResult.Invalid("score", "A whole number from 1 to 5.");
        if (comment is { Length: > 1000 }) return DeskResult.Invalid("comment", "At most 1,000 characters.");
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        if (ticket.IsOpen) return DeskResult.Conflict("status", "Satisfaction is rated once the ticket is resolved or closed.");
        ticket.Satisfaction = score;
        ticket.SatisfactionComment = Normalise.Text(comment);
        await db.SaveChangesAsync(cancellationToken);
        return DeskResult.Done(ticket);
    }

    /// <summary>Assigns and/or moves many tickets at once (the list's bulk actions); answers how many it changed.</summary>
    public async Task<int> BulkAsync(IReadOnlyCollection<long> ids, string? assignee, TicketStatus? status, CancellationToken cancellationToken)
    {
        var tickets = await db.Tickets.AsTracking().Where(t => ids.Contains(t.Id)).ToListAsync(cancellationToken);
        var now = Now;
        var name = Normalise.Text(assignee);
        foreach (var ticket in tickets)
        {
            if (name is not null && ticket.Assignee != name)
            {
                ticket.Assignee = name;
                ticket.AssignedAt = now;
            }
            if (status is { } s) ticket.MoveTo(s, now);
        }
        await db.SaveChangesAsync(cancellationToken);
        feed.Changed();
        return tickets.Count;
    }

    public Task<List<TicketMessage>> ConversationAsync(long ticketId, CancellationToken cancellationToken) =>
        db.TicketMessages.Where(m => m.TicketId == ticketId).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);

    /// <summary>Where the ticket's clocks stand, by its stored policy once <see cref="PoliciesAsync"/> has loaded them (pages load them first).</summary>
    public SlaClock Clock(Ticket ticket) => Sla.Read(ticket, Now, _policies?.GetValueOrDefault((ticket.Priority, ticket.Tier)));

    private Dictionary<(Priority, CustomerTier), SlaPolicy>? _policies;

    /// <summary>The stored SLA policies, read once per request.</summary>
    public async Task<IReadOnlyDictionary<(Priority, CustomerTier), SlaPolicy>> PoliciesAsync(CancellationToken cancellationToken) =>
        _policies ??= await db.SlaPolicies.ToDictionaryAsync(p => (p.Priority, p.Tier), cancellationToken);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private Task<Ticket?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.Tickets.AsTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);

    private async Task<string> LeastBusyAsync(List<string> agents, CancellationToken cancellationToken)
    {
        var open = await db.Tickets.Where(t => t.Assignee != null && agents.Contains(t.Assignee) && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
            .GroupBy(t => t.Assignee!).Select(g => new { Agent = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Agent, g => g.Count, cancellationToken);
        return agents.OrderBy(a => open.GetValueOrDefault(a)).ThenBy(a => a, StringComparer.Ordinal).First();
    }

    /// <summary>
    /// The least busy of the agents with a skill that names the ticket's queue or its triage category; the least busy of all
    /// when nobody has such a skill (a ticket is never left unassigned for want of a specialist).
    /// </summary>
    private async Task<string> BySkillAsync(Ticket ticket, List<string> agents, CancellationToken cancellationToken)
    {
        var wanted = new List<string>();
        if (ticket.QueueId is { } queueId && await db.TicketQueues.Where(q => q.Id == queueId).Select(q => q.Name).FirstOrDefaultAsync(cancellationToken) is { } queue) wanted.Add(queue);
        if (await db.TriageDecisions.Where(d => d.TicketId == ticket.Id).Select(d => d.Category).FirstOrDefaultAsync(cancellationToken) is { } category) wanted.Add(category);
        var skills = await db.AgentSkills.Where(s => agents.Contains(s.UserName)).ToListAsync(cancellationToken);
        var skilled = agents.Where(a => skills.Any(s => s.UserName == a && wanted.Contains(s.Skill, StringComparer.OrdinalIgnoreCase))).ToList();
        return await LeastBusyAsync(skilled.Count > 0 ? skilled : agents, cancellationToken);
    }

    /// <summary>The agent after the one assigned most recently, in name order: each agent in turn, with no state kept beside the tickets.</summary>
    private async Task<string> NextInTurnAsync(List<string> agents, CancellationToken cancellationToken)
    {
        var last = await db.Tickets.Where(t => t.AssignedAt != null && t.Assignee != null && agents.Contains(t.Assignee))
            .OrderByDescending(t => t.AssignedAt).ThenByDescending(t => t.Id).Select(t => t.Assignee).FirstOrDefaultAsync(cancellationToken);
        var at = last is null ? -1 : agents.IndexOf(last);
        return agents[(at + 1) % agents.Count];
    }

    // A ticket that came in by a channel is answered on it; one an agent opened is answered by email.
    private static Channel ChannelOf(Ticket ticket) =>
        ticket.Channel is { } name && ChannelOptions.Known.TryGetValue(name, out var channel) ? channel : Channel.Email;

    private static DeskResult? CheckBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return DeskResult.Invalid("body", "Write something: the message is empty.");
        if (body.Length > MaxBody) return DeskResult.Invalid("body", $"At most {MaxBody:N0} characters.");
        return InputText.Problem(body) is { } problem ? DeskResult.Invalid("body", problem) : null;
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
