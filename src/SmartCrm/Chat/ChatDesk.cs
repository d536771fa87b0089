using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Knowledge;
using SmartCrm.Service;
using SmartCrm.Storage;
using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Chat;

/// <summary>
/// The agents' side of the chat: the open chat tickets, most urgent first, with triage's reasons; a chat's whole conversation;
/// a public reply (optionally citing an article, which is recorded as used on the ticket) that the visitor sees in their chat;
/// closing; and marks on the assistant's answers, which the assistant learns from.
/// </summary>
public sealed class ChatDesk(CrmDb db, TicketDesk desk, CustomerChat chat, KnowledgeSearch search, AnswerLearning learning, TicketFeed feed, TimeProvider clock)
{
    public async Task<List<WaitingChat>> WaitingAsync(CancellationToken cancellationToken)
    {
        var open = await db.Tickets.Where(t => t.Channel == CustomerChat.Channel && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
            .Join(db.Customers, t => t.CustomerId, c => c.Id, (t, c) => new { Ticket = t, c.Name })
            .OrderByDescending(x => x.Ticket.UpdatedAt).Take(200).ToListAsync(cancellationToken);
        var ids = open.Select(x => x.Ticket.Id).ToList();
        var decisions = await db.TriageDecisions.Where(d => ids.Contains(d.TicketId)).ToDictionaryAsync(d => d.TicketId, cancellationToken);
        var last = await db.TicketMessages.Where(m => ids.Contains(m.TicketId) && m.Kind != MessageKind.Note)
            .GroupBy(m => m.TicketId).Select(g => new { TicketId = g.Key, Id = g.Max(m => m.Id) }).ToListAsync(cancellationToken);
        var lastIds = last.Select(l => l.Id).ToList();
        var lastMessages = await db.TicketMessages.Where(m => lastIds.Contains(m.Id)).ToDictionaryAsync(m => m.TicketId, cancellationToken);
        return open.Select(x =>
        {
            var t = x.Ticket;
            var d = decisions.GetValueOrDefault(t.Id);
            var message = lastMessages.GetValueOrDefault(t.Id);
            var reasons = d is null ? [] : JsonSerializer.Deserialize<List<PriorityReason>>(d.Reasons, TicketTriage.ReasonJson) ?? [];
            return new WaitingChat(t.Id, t.Subject, t.CustomerId, x.Name, t.Status, t.Priority, d?.Category, d?.TopTerms, d?.Score, d?.Mood, reasons, t.CreatedAt,
                message?.CreatedAt ?? t.CreatedAt, message is null || message.Kind == MessageKind.Inbound);
        }).OrderByDescending(w => w.Waiting).ThenByDescending(w => w.Priority).ThenByDescending(w => w.Score ?? 0).ThenBy(w => w.LastMessageAt).ToList();
    }

    /// <summary>The chat behind a ticket, as its visitor sees it; a ticket that came by the chat webhook has no session and shows its messages.</summary>
    public async Task<List<ChatLine>> ConversationAsync(long ticketId, CancellationToken cancellationToken)
    {
        var session = await db.ChatEntries.Where(e => e.TicketId == ticketId).OrderByDescending(e => e.Id).Select(e => (long?)e.SessionId).FirstOrDefaultAsync(cancellationToken);
        if (session is { } id) return await chat.TranscriptAsync(id, cancellationToken);
        var messages = await db.TicketMessages.Where(m => m.TicketId == ticketId && m.Kind != MessageKind.Note).OrderBy(m => m.Id).Take(500).ToListAsync(cancellationToken);
        return messages.Select(m => new ChatLine(-m.Id, m.Kind == MessageKind.Reply ? ChatLineKind.Agent : ChatLineKind.Customer, m.Body, m.Author, m.CreatedAt, m.TicketId)).ToList();
    }

    /// <summary>
    /// Whether the ticket's customer is only who a visitor of the chat page said they were: the address was typed, not proven,
    /// so agents should not share anything of the customer's account before checking.
    /// </summary>
    public Task<bool> TypedIdentityAsync(long ticketId, CancellationToken cancellationToken) =>
        db.ChatEntries.AnyAsync(e => e.TicketId == ticketId, cancellationToken);

    /// <summary>Articles that may answer the chat's last customer line, with the passage to cite.</summary>
    public async Task<IReadOnlyList<PassageMatch>> SuggestionsAsync(IReadOnlyList<ChatLine> conversation, CancellationToken cancellationToken)
    {
        var question = conversation.LastOrDefault(l => l.Kind == ChatLineKind.Customer)?.Body;
        if (question is null) return [];
        var index = await search.IndexAsync(db, cancellationToken);
        return index.Nearest(question, 3).Where(m => m.Similarity > 0).ToList();
    }

    /// <summary>
    /// A public reply on the chat's ticket; with <paramref name="articleId"/> the article's passage for the chat is added to it (or is
    /// the reply) and the article is recorded as used on the ticket. <paramref name="close"/> closes the ticket with the reply.
    /// </summary>
    public async Task<DeskResult> ReplyAsync(long ticketId, string? body, long? articleId, bool close, CancellationToken cancellationToken)
    {
        if (articleId is { } id)
        {
            var suggested = await SuggestionsAsync(await ConversationAsync(ticketId, cancellationToken), cancellationToken);
            var passage = suggested.FirstOrDefault(s => s.ArticleId == id)?.Passage
                ?? (await db.Articles.Where(a => a.Id == id && a.Published).Select(a => a.Body).FirstOrDefaultAsync(cancellationToken))?.Split('\n', 2)[0].Trim();
            if (passage is null) return DeskResult.Invalid("articleId", $"No published article with id {id}.");
            body = string.IsNullOrWhiteSpace(body) ? passage : body.Trim() + "\n\n" + passage;
        }
        var result = await desk.ReplyAsync(ticketId, body, close ? TicketStatus.Closed : null, cancellationToken);
        if (result.Succeeded && articleId is { } used)
            await ArticleOutcomes.RecordUseAsync(db, used, ticketId, ArticleUseVia.Agent, db.Actor.Name, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return result;
    }

    public Task<DeskResult> CloseAsync(long ticketId, CancellationToken cancellationToken) => desk.MoveAsync(ticketId, TicketStatus.Closed, cancellationToken);

    /// <summary>
    /// An agent's mark on an assistant's answer in a chat: the assistant learns from it, and a helpful answer in a chat that went
    /// to a ticket counts as the article used on that ticket. False when the line is not an assistant's answer.
    /// </summary>
    public async Task<bool> MarkAsync(long entryId, bool helpful, CancellationToken cancellationToken)
    {
        var entry = await db.ChatEntries.AsTracking().FirstOrDefaultAsync(e => e.Id == entryId && e.Kind == ChatEntryKind.Assistant, cancellationToken);
        if (entry is not { ArticleId: { } articleId, Question: { } question }) return false;
        if (!await db.Articles.AnyAsync(a => a.Id == articleId, cancellationToken)) return false;
        entry.Helpful = helpful;
        await db.SaveChangesAsync(cancellationToken);
        feed.Changed();
        await learning.RecordAsync(db, articleId, question, entry.Body, helpful, db.Actor.Name, cancellationToken);
        if (helpful && await db.ChatSessions.Where(s => s.Id == entry.SessionId).Select(s => s.TicketId).FirstOrDefaultAsync(cancellationToken) is { } ticket)
            await ArticleOutcomes.RecordUseAsync(db, articleId, ticket, ArticleUseVia.Assistant, db.Actor.Name, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return true;
    }

    /// <summary>Changes whenever the open chats do: what the console's live view watches.</summary>
    public async Task<string> StampAsync(CancellationToken cancellationToken)
    {
        var chats = db.Tickets.Where(t => t.Channel == CustomerChat.Channel);
        var open = await chats.CountAsync(t => t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed, cancellationToken);
        var changed = await chats.MaxAsync(t => (DateTime?)t.UpdatedAt, cancellationToken);
        var lastMessage = await db.TicketMessages.Where(m => chats.Any(t => t.Id == m.TicketId)).MaxAsync(m => (long?)m.Id, cancellationToken) ?? 0;
        var lastEntry = await db.ChatEntries.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
        return $"{open}.{changed?.Ticks}.{lastMessage}.{lastEntry}";
    }
}
