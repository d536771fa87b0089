using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

/// <summary>
/// Replies on their way out. A reply is written to the outbox in the transaction that stores it, tried at once after, and, when
/// the channel fails, kept and retried by <see cref="OutboxJob"/> with waits growing to an hour: never lost, and the agent who
/// replied never sees an error for a channel that is down.
/// </summary>
public sealed class ChannelOutbox(CrmDb db, IEnumerable<IChannelAdapter> adapters, TimeProvider clock, ILogger<ChannelOutbox> logger)
{
    /// <summary>How long a claimed message is left to its sender before another try may take it (a node that died mid-send).</summary>
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Adds the reply to the outbox when its channel has an adapter and the customer an address on it (the caller saves);
    /// otherwise the reply stays recorded only and null is answered.
    /// </summary>
    public async Task<OutboundMessage?> EnqueueAsync(Ticket ticket, TicketMessage reply, string subject, CancellationToken cancellationToken)
    {
        if (CallBacks.IsCall(ticket.Channel)) return await CallBackAsync(ticket, reply, subject, cancellationToken);
        // A ticket an agent opened is answered by email, like one that came in by email.
        var channel = ticket.Channel ?? "email";
        if (!adapters.Any(a => a.Serves(channel)))
        {
            logger.LogInformation("Reply {MessageId} on ticket {TicketId}: no adapter for {Channel}, recorded only", reply.Id, ticket.Id, channel);
            return null;
        }
        var recipient = await RecipientAsync(ticket, channel, cancellationToken);
        if (recipient is null)
        {
            logger.LogWarning("Reply {MessageId} on ticket {TicketId}: the customer has no address on {Channel}, recorded only", reply.Id, ticket.Id, channel);
            return null;
        }
        var now = Now;
        var message = new OutboundMessage
        {
            TicketId = ticket.Id, TicketMessageId = reply.Id, Channel = channel, Recipient = recipient,
            Subject = InputText.Cut(subject, 300), Body = reply.Body, Status = OutboundStatus.Pending, NextAttemptAt = now, CreatedAt = now,
        };
        db.OutboundMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return message;
    }

    /// <summary>
    /// A reply on a phone or transcript ticket: a call-back for its author (see <see cref="CallBacks"/>), to the number the customer
    /// last called from, else the one on their record; without a number it is still due (the agent finds one), with none shown.
    /// </summary>
    private async Task<OutboundMessage> CallBackAsync(Ticket ticket, TicketMessage reply, string subject, CancellationToken cancellationToken)
    {
        var caller = await db.TicketMessages.Where(m => m.TicketId == ticket.Id && m.Kind == MessageKind.Inbound && m.Author != null)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => m.Author).FirstOrDefaultAsync(cancellationToken);
        var phone = caller is not null && caller.Any(char.IsDigit) && !caller.Contains('@') ? caller
            : await db.Customers.Where(c => c.Id == ticket.CustomerId).Select(c => c.Phone).FirstOrDefaultAsync(cancellationToken);
        var now = Now;
        var message = new OutboundMessage
        {
            TicketId = ticket.Id, TicketMessageId = reply.Id, Channel = CallBacks.Channel, Recipient = InputText.Cut(phone ?? "", 254),
            Subject = InputText.Cut(subject, 300), Body = reply.Body, Status = OutboundStatus.Pending, NextAttemptAt = CallBacks.ByPerson, CreatedAt = now,
        };
        db.OutboundMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Reply {MessageId} on ticket {TicketId}: a call-back for {Agent}", reply.Id, ticket.Id, reply.Author);
        return message;
    }

    /// <summary>Tries to send one message now, if it is due and no one else is sending it; true once it is sent.</summary>
    public async Task<bool> TrySendAsync(long id, CancellationToken cancellationToken)
    {
        var now = Now;
        // Claim it first, so this node and the retry job (or another node) never send the same message at once.
        var claimed = await db.OutboundMessages.Where(m => m.Id == id && m.Status == OutboundStatus.Pending && m.NextAttemptAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now + Claim), cancellationToken);
        if (claimed == 0) return false;
        var message = await db.OutboundMessages.AsTracking().FirstAsync(m => m.Id == id, cancellationToken);
        var adapter = adapters.FirstOrDefault(a => a.Serves(message.Channel));
        message.Attempts++;
        try
        {
            if (adapter is null) throw new InvalidOperationException($"No adapter is configured for {message.Channel}.");
            await adapter.SendAsync(message, cancellationToken);
            message.Status = OutboundStatus.Sent;
            message.SentAt = Now;
            message.LastError = null;
            logger.LogInformation("Reply {MessageId} of ticket {TicketId} sent on {Channel} (attempt {Attempt})", message.TicketMessageId, message.TicketId, message.Channel, message.Attempts);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, message.Attempts - 1), LongestWait.TotalMinutes));
            message.NextAttemptAt = Now + wait;
            // The exception's message only: adapters never put credentials in it (MailKit names the server, not the password).
            message.LastError = InputText.Cut($"{e.GetType().Name}: {e.Message}", 1000);
            logger.LogWarning("Reply {MessageId} of ticket {TicketId} not sent on {Channel} (attempt {Attempt}, next in {Wait}): {Error}",
                message.TicketMessageId, message.TicketId, message.Channel, message.Attempts, wait, message.LastError);
        }
        // Whatever happened is stored even if the request that sent it is being cancelled.
        await db.SaveChangesAsync(CancellationToken.None);
        return message.Status == OutboundStatus.Sent;
    }

    /// <summary>Sends what is due, oldest first, up to <paramref name="batch"/> messages; answers how many went out.</summary>
    public async Task<int> SendDueAsync(int batch, CancellationToken cancellationToken)
    {
        var now = Now;
        var due = await db.OutboundMessages.Where(m => m.Status == OutboundStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.Id).Take(batch).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var id in due)
        {
            if (await TrySendAsync(id, cancellationToken)) sent++;
        }
        return sent;
    }

    /// <summary>Makes a waiting message due now (the console's and API's "retry now").</summary>
    public async Task<bool> RetryNowAsync(long id, CancellationToken cancellationToken)
    {
        var now = Now;
        var updated = await db.OutboundMessages.Where(m => m.Id == id && m.Status == OutboundStatus.Pending && m.Attempts > 0 && m.NextAttemptAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now), cancellationToken);
        return await TrySendAsync(id, cancellationToken) || updated > 0;
    }

    /// <summary>Who wrote last on this ticket by its channel; else the customer's address on the channel.</summary>
    private async Task<string?> RecipientAsync(Ticket ticket, string channel, CancellationToken cancellationToken)
    {
        var customerId = ticket.CustomerId;
        if (ticket.Channel is not null
            && await db.TicketMessages.Where(m => m.TicketId == ticket.Id && m.Kind == MessageKind.Inbound && m.Author != null)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => m.Author).FirstOrDefaultAsync(cancellationToken) is { } sender)
            return sender;
        if (channel == "email")
            return await db.Customers.Where(c => c.Id == customerId).Select(c => c.Email).FirstOrDefaultAsync(cancellationToken);
        // Chat and social: the channel's own id of the customer, as it was learnt from their messages.
        var system = "channel:" + channel;
        return await db.CustomerSources.Where(s => s.CustomerId == customerId && s.System == system).OrderByDescending(s => s.LastSeenAt)
            .Select(s => s.ExternalId).FirstOrDefaultAsync(cancellationToken);
    }
}
