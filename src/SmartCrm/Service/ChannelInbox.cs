using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Customers;
using SmartCrm.Interactions;
using SmartCrm.Records;
using SmartCrm.Storage;
using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Service;

/// <summary>A message as a channel posts it: who sent it (email address, phone number or the channel's user id) and what.</summary>
public sealed record ChannelMessage(string? From, string? Text, string? Subject, string? ExternalId);

/// <summary>Where an inbound message went: its customer and ticket, and whether either was made for it.</summary>
public sealed record Delivered(long CustomerId, long TicketId, long MessageId, bool NewTicket, bool NewCustomer, bool Duplicate);

/// <summary>
/// The one inbox: a message from any channel goes to the customer who sent it (by email, phone, or the channel's id for them)
/// and into their open ticket of that channel, or opens a new ticket. A sender nobody knows becomes a lead (a customer tagged
/// "lead") with the ticket, so nothing is lost and an agent sees it in the list. The message is on the customer's timeline too.
/// </summary>
public sealed class ChannelInbox(CrmDb db, TimeProvider clock, DeskRules desk, TicketTriage triage, ILogger<ChannelInbox> logger)
{
    public const int MaxText = TicketDesk.MaxBody;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 8 };

    /// <summary>Reads and checks a posted body: problems name the field; null message when the body is not a JSON object.</summary>
    public static (ChannelMessage? Message, string? Field, string? Problem) Parse(ReadOnlySpan<byte> body)
    {
        ChannelMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<ChannelMessage>(body, Json);
        }
        catch (JsonException)
        {
            return (null, "$", "The body is not a JSON object with from and text.");
        }
        if (message is null) return (null, "$", "The body is not a JSON object with from and text.");
        if (string.IsNullOrWhiteSpace(message.From)) return (null, "from", "Required: who sent the message.");
        if (message.From.Length > 254) return (null, "from", "At most 254 characters.");
        if (string.IsNullOrWhiteSpace(message.Text)) return (null, "text", "Required: the message is empty.");
        if (message.Text.Length > MaxText) return (null, "text", $"At most {MaxText:N0} characters.");
        if (message.Subject is { Length: > 300 }) return (null, "subject", "At most 300 characters.");
        if (message.ExternalId is { Length: > 200 }) return (null, "externalId", "At most 200 characters.");
        foreach (var (field, value) in new[] { ("from", message.From), ("text", message.Text), ("subject", message.Subject), ("externalId", message.ExternalId) })
        {
            if (value is not null && InputText.Problem(value) is { } problem) return (null, field, problem);
        }
        return (message, null, null);
    }

    /// <summary>Stores an inbound message on its customer's ticket, and with <paramref name="triageOnArrival"/> triages and routes it.</summary>
    /// <param name="onlyInto">
    /// For a sender nobody vouches for (an anonymous chat that typed an e-mail address): the one ticket this conversation may
    /// continue, or null for a new one. Without it, a signed channel's message threads into the sender's open ticket.
    /// </param>
    /// <param name="bySender">False: thread only into <paramref name="onlyInto"/>, never into another open ticket of the sender.</param>
    /// <param name="triageOnArrival">
    /// Category, mood and priority are decided, and a queue that asks for the category takes the ticket, before the channel hears
    /// back, in the same transaction as the message. If triage fails the message is stored without it (the triage job takes the
    /// ticket up on its next round): triage changes nothing until all it reads has been read.
    /// </param>
    public async Task<Delivered> DeliverAsync(string channel, ChannelMessage message, CancellationToken cancellationToken, bool bySender = true, long? onlyInto = null,
        bool triageOnArrival = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var externalId = Normalise.Text(message.ExternalId) is { } id ? $"{channel}:{id}" : null;
        if (externalId is not null)
        {
            // The channel sent this one before (a retry after a timeout): answer where it went, store nothing twice.
            var earlier = await db.TicketMessages.Where(m => m.ExternalId == externalId)
                .Join(db.Tickets, m => m.TicketId, t => t.Id, (m, t) => new { m.Id, m.TicketId, t.CustomerId }).FirstOrDefaultAsync(cancellationToken);
            if (earlier is not null) return new Delivered(earlier.CustomerId, earlier.TicketId, earlier.Id, false, false, true);
        }
        // One transaction for all of it: lead, ticket, timeline entry, message, triage decision, queue and their audit rows. A
        // failure rolls back the whole, so no save inside needs a savepoint of its own.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            return await StoreAsync(channel, message, externalId, now, bySender, onlyInto, triageOnArrival, cancellationToken);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
    }

    private async Task<Delivered> StoreAsync(string channel, ChannelMessage message, string? externalId, DateTime now, bool bySender, long? onlyInto, bool triageOnArrival,
        CancellationToken cancellationToken)
    {
        var from = message.From!.Trim();
        var text = message.Text!.Trim();
        // A caller's transaction (the chat stores its own lines with the message) holds these rows too, and commits them.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var sender = await SenderAsync(channel, from, now, cancellationToken);
        // A lead made for this message has no ticket yet.
        var ticket = sender.Lead is null && (bySender || onlyInto is not null)
            ? await db.Tickets.AsTracking()
                .Where(t => t.CustomerId == sender.Id && t.Channel == channel && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
                .Where(t => bySender || t.Id == onlyInto)
                .OrderByDescending(t => t.UpdatedAt).FirstOrDefaultAsync(cancellationToken)
            : null;
        var newTicket = ticket is null;
        if (ticket is null)
        {
            var rules = await desk.CurrentAsync(db, cancellationToken);
            var tier = Sla.TierOf(sender.Tags);
            ticket = new Ticket { Subject = "" };
            new TicketInput
            {
                CustomerId = sender.Id, Kind = TicketKind.Question, Priority = Priority.Normal, Channel = channel,
                Subject = Normalise.Text(message.Subject) ?? Headline(text), Description = text,
                Tier = tier, Policy = rules.Policies.GetValueOrDefault((Priority.Normal, tier)),
                // The category is not known before triage: queues that ask for one are joined after it.
                QueueId = rules.QueueFor(TicketKind.Question, channel, null, categoryKnown: false)?.Id,
            }.ApplyTo(ticket, clock);
            db.Tickets.Add(ticket);
        }
        else if (ticket.Status == TicketStatus.Pending)
        {
            // The customer answered: the clocks run again.
            ticket.MoveTo(TicketStatus.Open, now);
        }
        var interaction = new Interaction
        {
            CustomerId = sender.Id, Channel = ChannelOptions.Known[channel], Direction = Direction.Inbound,
            Subject = InputText.Cut(Normalise.Text(message.Subject) ?? Headline(text), 300), Body = text, OccurredAt = now,
        };
        db.Interactions.Add(interaction);
        // One save for every row: until it, a new ticket's and the timeline entry's keys are EF's temporary ones, which it
        // replaces in the rows that name them (both are foreign keys of the message, V21).
        var stored = new TicketMessage
        {
            TicketId = db.Entry(ticket).Property(t => t.Id).CurrentValue, Kind = MessageKind.Inbound, Author = from, Body = text, CreatedAt = now,
            InteractionId = db.Entry(interaction).Property(i => i.Id).CurrentValue, ExternalId = externalId,
        };
        db.TicketMessages.Add(stored);
        if (triageOnArrival) await TriageAsync(ticket, newTicket, sender.Lead is not null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        var customerId = sender.Lead?.Id ?? sender.Id;
        logger.LogInformation("Message on {Channel} threaded into ticket {TicketId} of customer {CustomerId} (new ticket {NewTicket}, new lead {NewCustomer})",
            channel, ticket.Id, customerId, newTicket, sender.Lead is not null);
        return new Delivered(customerId, ticket.Id, stored.Id, newTicket, sender.Lead is not null, false);
    }

    /// <summary>
    /// Triage of the ticket, then a new ticket's queue: with the category known it joins the first queue by position it fits (see
    /// <see cref="TicketQueue.For"/>), so a queue that asks for that category takes it after triage. A follow-up is triaged again
    /// but stays where it is: an agent may have moved it, and a customer's next message must not undo that. Saved by the caller.
    /// </summary>
    private async Task TriageAsync(Ticket ticket, bool newTicket, bool newCustomer, CancellationToken cancellationToken)
    {
        try
        {
            var rules = await desk.CurrentAsync(db, cancellationToken);
            var decision = await triage.DecideAsync(ticket, newTicket, newCustomer, cancellationToken);
            if (newTicket && rules.QueueFor(ticket.Kind, ticket.Channel, decision.Category, categoryKnown: true) is { } queue && queue.Id != ticket.QueueId) ticket.QueueId = queue.Id;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Triage of ticket {TicketId} on arrival failed; the triage job will try again", ticket.Id);
        }
    }

    /// <summary>Who sent a message: a known customer, or a new lead (not saved yet: <see cref="Id"/> is its temporary key until it is).</summary>
    private sealed record Sender(long Id, IReadOnlyList<string> Tags, Customer? Lead);

    /// <summary>The customer behind <paramref name="from"/> with their tags (their tier), or a new lead for a sender nobody knows.</summary>
    private async Task<Sender> SenderAsync(string channel, string from, DateTime now, CancellationToken cancellationToken)
    {
        var email = from.Contains('@', StringComparison.Ordinal) ? Normalise.Email(from) : null;
        var phone = email is null && from.Length <= 40 && from.All(c => char.IsDigit(c) || c is '+' or ' ' or '-' or '(' or ')') ? from : null;
        var system = "channel:" + channel;
        var key = InputText.Cut(from, 100);
        // The customer with this address comes first, then one the channel's id names: one query (a union of two index look-ups)
        // instead of one after the other, which a sender nobody knows paid in full.
        var byChannelId = db.CustomerSources.Where(s => s.System == system && s.ExternalId == key)
            .Join(db.Customers, s => s.CustomerId, c => c.Id, (s, c) => new { Rank = 1, c.Id, c.Tags });
        var candidates = email is not null
            ? db.Customers.Where(c => c.Email == email).Select(c => new { Rank = 0, c.Id, c.Tags }).Concat(byChannelId)
            : phone is not null
                ? db.Customers.Where(c => c.Phone == phone).Select(c => new { Rank = 0, c.Id, c.Tags }).Concat(byChannelId)
                : byChannelId;
        var known = await candidates.OrderBy(c => c.Rank).ThenBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (known is not null) return new Sender(known.Id, known.Tags, null);

        var lead = new Customer
        {
            Kind = CustomerKind.Person,
            Name = InputText.Cut(from, 200),
            Email = email is { Length: <= 254 } ? email : null,
            Phone = phone,
            Tags = ["lead", channel],
        };
        db.Customers.Add(lead);
        // Saved with the ticket: until then the rows that name the lead hold its temporary key, and EF puts the real one in.
        var leadId = db.Entry(lead).Property(c => c.Id).CurrentValue;
        // The channel's id for this sender, so the next message from the same chat or WeChat user finds the same lead.
        db.CustomerSources.Add(new CustomerSource { CustomerId = leadId, System = system, ExternalId = key, FirstSeenAt = now, LastSeenAt = now });
        return new Sender(leadId, lead.Tags, lead);
    }

    private static string Headline(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return InputText.Cut(line.Length == 0 ? text : line, 120);
    }
}
