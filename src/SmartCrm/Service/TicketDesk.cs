using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

/// <summary>How a ticket without a named assignee finds one.</summary>
public enum AssignBy { Manual, RoundRobin, LeastBusy }

/// <summary>
/// What agents do with a ticket: reply (recorded on the customer's timeline as an interaction), note, assign, change status,
/// and record the customer's satisfaction after close. Every answer is the changed ticket, or the problem naming the field.
/// </summary>
public sealed class TicketDesk(CrmDb db, TimeProvider clock, ILogger<TicketDesk> logger)
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
        // The reply goes on the customer's timeline as what it is: something the company sent the customer.
        var interaction = new Interaction
        {
            CustomerId = ticket.CustomerId,
            Channel = ChannelOf(ticket),
            Direction = Direction.Outbound,
            Subject = Shorten($"Re: #{ticket.Id} {ticket.Subject}", 300),
            Body = text,
            OccurredAt = now,
            Agent = db.Actor.Name,
        };
        db.Interactions.Add(interaction);
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await db.SaveChangesAsync(cancellationToken);
        db.TicketMessages.Add(new TicketMessage { TicketId = ticket.Id, Kind = MessageKind.Reply, Author = db.Actor.Name, Body = text, CreatedAt = now, InteractionId = interaction.Id });
        ticket.FirstRespondedAt ??= now;
        ticket.MoveTo(then ?? (ticket.Status == TicketStatus.New ? TicketStatus.Open : ticket.Status), now);
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        // The outbound adapters are not built yet: the reply is recorded (ticket and timeline) and logged; nothing leaves the server.
        logger.LogInformation("Reply on ticket {TicketId} recorded as interaction {InteractionId} on channel {Channel}", ticket.Id, interaction.Id, interaction.Channel);
        return DeskResult.Done(ticket);
    }

    public async Task<DeskResult> NoteAsync(long ticketId, string? body, CancellationToken cancellationToken)
    {
        if (CheckBody(body) is { } bad) return bad;
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        db.TicketMessages.Add(new TicketMessage { TicketId = ticket.Id, Kind = MessageKind.Note, Author = db.Actor.Name, Body = body!.Trim(), CreatedAt = Now });
        await db.SaveChangesAsync(cancellationToken);
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
            chosen = by == AssignBy.LeastBusy ? await LeastBusyAsync(agents, cancellationToken) : await NextInTurnAsync(agents, cancellationToken);
        }
        if (chosen != ticket.Assignee)
        {
            ticket.Assignee = chosen;
            ticket.AssignedAt = chosen is null ? null : Now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return DeskResult.Done(ticket);
    }

    public async Task<DeskResult> MoveAsync(long ticketId, TicketStatus status, CancellationToken cancellationToken)
    {
        var ticket = await FindAsync(ticketId, cancellationToken);
        if (ticket is null) return DeskResult.NotFound(ticketId);
        ticket.MoveTo(status, Now);
        await db.SaveChangesAsync(cancellationToken);
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
        return tickets.Count;
    }

    public Task<List<TicketMessage>> ConversationAsync(long ticketId, CancellationToken cancellationToken) =>
        db.TicketMessages.Where(m => m.TicketId == ticketId).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);

    public SlaClock Clock(Ticket ticket) => Sla.Read(ticket, Now);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private Task<Ticket?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.Tickets.AsTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);

    private async Task<string> LeastBusyAsync(List<string> agents, CancellationToken cancellationToken)
    {
        var open = await db.Tickets.Where(t => t.Assignee != null && agents.Contains(t.Assignee) && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
            .GroupBy(t => t.Assignee!).Select(g => new { Agent = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Agent, g => g.Count, cancellationToken);
        return agents.OrderBy(a => open.GetValueOrDefault(a)).ThenBy(a => a, StringComparer.Ordinal).First();
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
