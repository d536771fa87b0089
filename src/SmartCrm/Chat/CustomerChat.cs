using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Customers;
using SmartCrm.Knowledge;
using SmartCrm.Records;
using SmartCrm.Service;
using SmartCrm.Storage;
using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Chat;

/// <summary>
/// The customers' chat: a question goes to the FAQ assistant first, which answers with a passage and its article when it is
/// near enough; otherwise (or when the visitor asks for a person) the chat is handed to a person through the one inbox, as a
/// message on the "chat" channel that is threaded into the customer's open chat ticket or opens one, and is triaged and routed
/// on arrival (a queue that asks for the category takes it, as for every channel), in one transaction with the chat's lines.
/// While that ticket is open the visitor's messages go to it, and the agents' public replies on it are the chat's answers.
/// </summary>
public sealed class CustomerChat(
    CrmDb db, KnowledgeSearch search, AnswerLearning learning, IOptions<AssistantOptions> options, ChannelInbox inbox,
    TicketFeed feed, TimeProvider clock, ILogger<CustomerChat> logger)
{
    public const string Channel = "chat";
    public const int MaxText = 2000;
    public const string CookieName = ".SmartCrm.Chat";

    /// <summary>The session of a browser's token, or null.</summary>
    public Task<ChatSession?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return Task.FromResult<ChatSession?>(null);
        var hash = Hash(token);
        return db.ChatSessions.AsTracking().FirstOrDefaultAsync(s => s.TokenHash == hash, cancellationToken);
    }

    /// <summary>A new session and the token the browser keeps for it (shown once, stored only as its hash).</summary>
    public async Task<(ChatSession Session, string Token)> StartAsync(CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow().UtcDateTime;
        var session = new ChatSession { TokenHash = Hash(token), StartedAt = now, LastActivityAt = now };
        db.ChatSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return (session, token);
    }

    /// <summary>The visitor says who they are: the chat is linked to the customer with that e-mail address, if there is one.</summary>
    public async Task<ChatOutcome?> IdentifyAsync(ChatSession session, string? name, string? email, CancellationToken cancellationToken)
    {
        name = Normalise.Text(name);
        email = Normalise.Email(email);
        if (name is { Length: > 200 }) return ChatOutcome.Refuse("name", "At most 200 characters.");
        if (name is not null && InputText.Problem(name) is { } nameProblem) return ChatOutcome.Refuse("name", nameProblem);
        if (email is not null && (email.Length > 254 || !new EmailAddressAttribute().IsValid(email))) return ChatOutcome.Refuse("email", "Not an e-mail address.");
        if (name is null && email is null) return ChatOutcome.Refuse("email", "Give your name or your e-mail address.");
        session.Name = name ?? session.Name;
        if (email is not null)
        {
            session.Email = email;
            if (await CustomerDuplicates.FindByEmailAsync(db, email, cancellationToken) is { } customer) session.CustomerId = customer;
        }
        session.LastActivityAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Checks a message as the visitor typed it: the problem, or null.</summary>
    public static (string Field, string Problem)? Check(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return ("text", "Write something: the message is empty.");
        if (text.Length > MaxText) return ("text", $"At most {MaxText:N0} characters.");
        return InputText.Problem(text) is { } problem ? ("text", problem) : null;
    }

    /// <summary>
    /// Takes the visitor's message: to the ticket a person is on, else to the assistant, else (or when <paramref name="askPerson"/>)
    /// to a person. Asking for a person without a message hands over the last question.
    /// </summary>
    public async Task<ChatOutcome> SendAsync(ChatSession session, string? text, bool askPerson, CancellationToken cancellationToken)
    {
        if (askPerson && string.IsNullOrWhiteSpace(text))
        {
            text = await db.ChatEntries.Where(e => e.SessionId == session.Id && e.Kind == ChatEntryKind.Customer).OrderByDescending(e => e.Id)
                .Select(e => e.Body).FirstOrDefaultAsync(cancellationToken);
        }
        if (Check(text) is { } bad) return ChatOutcome.Refuse(bad.Field, bad.Problem);
        var message = text!.Trim();
        var now = clock.GetUtcNow().UtcDateTime;
        session.LastActivityAt = now;
        var withPerson = session.TicketId is { } current
            && await db.Tickets.AnyAsync(t => t.Id == current && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed, cancellationToken);
        if (!withPerson && !askPerson && await AnswerAsync(message, cancellationToken) is { } answer)
        {
            db.ChatEntries.Add(new ChatEntry { SessionId = session.Id, Kind = ChatEntryKind.Customer, Body = message, CreatedAt = now });
            db.ChatEntries.Add(new ChatEntry
            {
                SessionId = session.Id, Kind = ChatEntryKind.Assistant, Body = InputText.Cut(answer.Passage, 8000), Question = message,
                ArticleId = answer.ArticleId, ArticleTitle = InputText.Cut(answer.Title, 300), Confidence = answer.Similarity, CreatedAt = now,
            });
            await db.SaveChangesAsync(cancellationToken);
            feed.Changed();
            return new ChatOutcome(ChatOutcomeKind.Answered, null);
        }

        // The address a visitor typed is not proven theirs: the message goes on this conversation's own ticket, never into
        // another open ticket of that customer (whose earlier replies the visitor would then read).
        // The message with its ticket, triage and queue, the lead's name and the chat's lines: all of it or none (a failure leaves
        // no ticket the chat does not show, nor a chat line without its ticket).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivered = await inbox.DeliverAsync(Channel, new ChannelMessage(session.Email ?? $"chat-{session.Id}", message, null, null), cancellationToken,
            bySender: false, onlyInto: session.TicketId, triageOnArrival: true);
        if (delivered.NewCustomer && session.Name is { } name)
        {
            // The lead the inbox made is named after the sender's address; the visitor told us their name.
            var lead = await db.Customers.AsTracking().FirstAsync(c => c.Id == delivered.CustomerId, cancellationToken);
            lead.Name = name;
        }
        var handedOff = !withPerson || session.TicketId != delivered.TicketId;
        session.CustomerId = delivered.CustomerId;
        session.TicketId = delivered.TicketId;
        db.ChatEntries.Add(new ChatEntry { SessionId = session.Id, Kind = ChatEntryKind.Customer, Body = message, TicketId = delivered.TicketId, CreatedAt = now });
        if (handedOff) db.ChatEntries.Add(new ChatEntry { SessionId = session.Id, Kind = ChatEntryKind.Handoff, Body = "", TicketId = delivered.TicketId, CreatedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        feed.Changed();
        logger.LogInformation("Chat {Session} {Outcome} ticket {TicketId}", session.Id, handedOff ? "handed to a person as" : "added to", delivered.TicketId);
        return new ChatOutcome(handedOff ? ChatOutcomeKind.HandedOff : ChatOutcomeKind.Delivered, delivered.TicketId);
    }

    /// <summary>The assistant's answer when it is near enough (the same threshold and learning as POST /assistant/ask), else null.</summary>
    public async Task<PassageMatch?> AnswerAsync(string question, CancellationToken cancellationToken)
    {
        var index = await search.IndexAsync(db, cancellationToken);
        var best = await learning.AdjustAsync(db, index, question, index.Best(question), cancellationToken);
        return best is not null && best.Similarity >= options.Value.Threshold ? best : null;
    }

    /// <summary>The chat as the visitor sees it: their lines, the assistant's, and the agents' public replies on its tickets.</summary>
    public async Task<List<ChatLine>> TranscriptAsync(long sessionId, CancellationToken cancellationToken)
    {
        var entries = await db.ChatEntries.Where(e => e.SessionId == sessionId).OrderBy(e => e.Id).Take(500).ToListAsync(cancellationToken);
        var tickets = entries.Where(e => e.TicketId != null).Select(e => e.TicketId!.Value).Distinct().ToList();
        var replies = await db.TicketMessages.Where(m => tickets.Contains(m.TicketId) && m.Kind == MessageKind.Reply).OrderBy(m => m.Id).Take(500).ToListAsync(cancellationToken);
        return entries.Select(e => new ChatLine(e.Id, (ChatLineKind)(int)e.Kind, e.Body, null, e.CreatedAt, e.TicketId, e.ArticleId, e.ArticleTitle, e.Confidence, e.Helpful))
            .Concat(replies.Select(m => new ChatLine(-m.Id, ChatLineKind.Agent, m.Body, m.Author, m.CreatedAt, m.TicketId)))
            .OrderBy(l => l.At).ThenBy(l => l.Kind == ChatLineKind.Agent).ThenBy(l => Math.Abs(l.Id)).ToList();
    }

    /// <summary>Changes whenever the visitor's chat does (a line, a reply, the ticket's status): what the live view watches.</summary>
    public async Task<string> StampAsync(long sessionId, CancellationToken cancellationToken)
    {
        var lastEntry = await db.ChatEntries.Where(e => e.SessionId == sessionId).MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
        var tickets = db.ChatEntries.Where(e => e.SessionId == sessionId && e.TicketId != null).Select(e => e.TicketId!.Value);
        var lastReply = await db.TicketMessages.Where(m => tickets.Contains(m.TicketId) && m.Kind == MessageKind.Reply).MaxAsync(m => (long?)m.Id, cancellationToken) ?? 0;
        var status = await db.ChatSessions.Where(s => s.Id == sessionId).Join(db.Tickets, s => s.TicketId, t => (long?)t.Id, (s, t) => t.Status)
            .Select(s => (TicketStatus?)s).FirstOrDefaultAsync(cancellationToken);
        return $"{lastEntry}.{lastReply}.{status}";
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
