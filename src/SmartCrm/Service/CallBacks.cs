using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Records;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

/// <summary>The agent's word that they called back (POST /api/v1/outbox/{id}/called): how the call went, optional.</summary>
public sealed record CalledInput
{
    [System.ComponentModel.DataAnnotations.MaxLength(CallBacks.MaxNote)] public string? Note { get; init; }
}

/// <summary>A call-back waiting for its agent: the reply to say, whom to call and who wrote it.</summary>
public sealed record CallBackDue(long Id, long TicketId, string Phone, string Subject, string Body, string? Agent, DateTime CreatedAt);

/// <summary>
/// Replies on phone and call-transcript tickets. The customer rang (or the call was transcribed): what a CRM user expects from
/// "reply" there is a call back, not an e-mail to an address the customer never used. The reply goes into the outbox as a
/// call-back for the agent who wrote it, to the number the customer called from (else the one on their record); no machine
/// sends it (<see cref="ByPerson"/>), so the retry job leaves it alone. It shows on the ticket, on the outbox page and as the
/// agent's "my call-backs"; once the agent says they called, the call is recorded on the customer's timeline as an outbound
/// phone interaction with what was said, and the reply counts as sent.
/// </summary>
public sealed class CallBacks(CrmDb db, TimeProvider clock, TicketFeed feed, ILogger<CallBacks> logger)
{
    /// <summary>The outbox's channel name of a call-back.</summary>
    public const string Channel = "phone";

    public const int MaxNote = 2000;

    /// <summary>The due time of a call-back: never, for the retry job (it is a person's work, not a channel's).</summary>
    public static readonly DateTime ByPerson = new(9000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Whether a reply on a ticket that came by <paramref name="channel"/> is a call back.</summary>
    public static bool IsCall(string? channel) => channel is "phone" or "transcript";

    /// <summary>The call-backs not yet made, oldest first; only <paramref name="agent"/>'s when named.</summary>
    public async Task<List<CallBackDue>> DueAsync(string? agent, CancellationToken cancellationToken)
    {
        var query = db.OutboundMessages.Where(m => m.Channel == Channel && m.Status == OutboundStatus.Pending)
            .Join(db.TicketMessages, m => m.TicketMessageId, r => r.Id, (m, r) => new { Message = m, r.Author });
        if (agent is not null) query = query.Where(x => x.Author == agent);
        var due = await query.OrderBy(x => x.Message.Id).Take(500).ToListAsync(cancellationToken);
        return due.Select(x => new CallBackDue(x.Message.Id, x.Message.TicketId, x.Message.Recipient, x.Message.Subject, x.Message.Body, x.Author, x.Message.CreatedAt)).ToList();
    }

    /// <summary>
    /// The agent called: the call is recorded as an outbound phone interaction (the reply and how the call went), linked from the
    /// reply, and the call-back is done. Answers the ticket, or the problem.
    /// </summary>
    public async Task<DeskResult> CalledAsync(long id, string? note, CancellationToken cancellationToken)
    {
        var text = Normalise.Text(note);
        if (text is { Length: > MaxNote }) return DeskResult.Invalid("note", $"At most {MaxNote:N0} characters.");
        if (text is not null && InputText.Problem(text) is { } problem) return DeskResult.Invalid("note", problem);
        var callBack = await db.OutboundMessages.AsTracking().FirstOrDefaultAsync(m => m.Id == id && m.Channel == Channel, cancellationToken);
        if (callBack is null) return new DeskResult(null, StatusCodes.Status404NotFound, "id", $"No call-back with id {id}.");
        if (callBack.Status == OutboundStatus.Sent) return DeskResult.Conflict("id", $"Call-back {id} was already made.");
        var ticket = await db.Tickets.AsTracking().FirstAsync(t => t.Id == callBack.TicketId, cancellationToken);
        var reply = await db.TicketMessages.AsTracking().FirstOrDefaultAsync(m => m.Id == callBack.TicketMessageId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var interaction = new Interaction
        {
            CustomerId = ticket.CustomerId, Channel = Interactions.Channel.Phone, Direction = Direction.Outbound,
            Subject = InputText.Cut(callBack.Subject, 300),
            Body = InputText.Cut(text is null ? callBack.Body : $"{callBack.Body}\n\n{text}", 8000),
            OccurredAt = now, Agent = db.Actor.Name,
        };
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        db.Interactions.Add(interaction);
        await db.SaveChangesAsync(cancellationToken);
        if (reply is not null) reply.InteractionId = interaction.Id;
        callBack.Status = OutboundStatus.Sent;
        callBack.SentAt = now;
        callBack.Attempts++;
        callBack.LastError = null;
        ticket.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        feed.Changed();
        logger.LogInformation("Call-back {CallBack} on ticket {TicketId} made, recorded as interaction {InteractionId}", id, ticket.Id, interaction.Id);
        return DeskResult.Done(ticket);
    }
}
