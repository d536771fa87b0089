using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Knowledge;

/// <summary>A ticket an article was used on, and whether it is resolved (resolved or closed) now.</summary>
public sealed record ArticleTicket(long TicketId, string Subject, TicketStatus Status, bool Resolved, ArticleUseVia Via, string? UsedBy, DateTime UsedAt);

/// <summary>How often agents found an article's answers helpful.</summary>
public sealed record ArticleFeedbackCounts(int Helpful, int NotHelpful);

/// <summary>An agent's mark on an assistant's answer (POST /api/v1/assistant/feedback).</summary>
public sealed record FeedbackInput
{
    [Required, MaxLength(2000)] public string? Question { get; init; }
    [Required] public long? ArticleId { get; init; }
    [Required, MaxLength(8000)] public string? Passage { get; init; }
    [Required] public bool? Helpful { get; init; }
}

public sealed record ArticleUseInput
{
    [Required] public long? TicketId { get; init; }
}

/// <summary>What came of an article: the tickets it was used on and resolved, and the agents' marks on the answers it gave.</summary>
public static class ArticleOutcomes
{
    /// <summary>Records that <paramref name="articleId"/> was used on <paramref name="ticketId"/> (once per pair; the first use stands).</summary>
    public static async Task RecordUseAsync(CrmDb db, long articleId, long ticketId, ArticleUseVia via, string? by, DateTime now, CancellationToken cancellationToken)
    {
        if (await db.ArticleUses.AnyAsync(u => u.ArticleId == articleId && u.TicketId == ticketId, cancellationToken)) return;
        db.ArticleUses.Add(new ArticleUse { ArticleId = articleId, TicketId = ticketId, Via = via, UsedBy = by, UsedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request recorded the same pair a moment ago: the unique index keeps one.
            db.ChangeTracker.Clear();
        }
    }

    public static Task<List<ArticleTicket>> TicketsAsync(CrmDb db, long articleId, int take, CancellationToken cancellationToken) =>
        db.ArticleUses.Where(u => u.ArticleId == articleId)
            .Join(db.Tickets, u => u.TicketId, t => t.Id, (u, t) => new { u, t })
            .OrderByDescending(x => x.u.UsedAt).ThenByDescending(x => x.u.Id).Take(take)
            .Select(x => new ArticleTicket(x.t.Id, x.t.Subject, x.t.Status, x.t.Status == TicketStatus.Resolved || x.t.Status == TicketStatus.Closed, x.u.Via, x.u.UsedBy, x.u.UsedAt))
            .ToListAsync(cancellationToken);

    public static async Task<ArticleFeedbackCounts> FeedbackAsync(CrmDb db, long articleId, CancellationToken cancellationToken)
    {
        var marks = await db.AnswerFeedback.Where(f => f.ArticleId == articleId).GroupBy(f => f.Helpful).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return new ArticleFeedbackCounts(marks.Where(m => m.Key).Sum(m => m.Count), marks.Where(m => !m.Key).Sum(m => m.Count));
    }

    public static void MapArticleOutcomes(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        api.MapGet("/articles/{id:long}/tickets", async Task<Results<Ok<List<ArticleTicket>>, ProblemHttpResult>> (long id, bool? resolved, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (!await db.Articles.AnyAsync(a => a.Id == id, cancellationToken)) return Problems.NotFound("Article", id);
            var tickets = await TicketsAsync(db, id, 500, cancellationToken);
            return TypedResults.Ok(resolved is { } only ? tickets.Where(t => t.Resolved == only).ToList() : tickets);
        }).RequireAuthorization(Permissions.CustomersRead).WithTags("Article").WithName("ListArticleTickets");

        api.MapPost("/articles/{id:long}/tickets", async Task<Results<Ok<List<ArticleTicket>>, ProblemHttpResult>> (long id, ArticleUseInput input, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (!await db.Articles.AnyAsync(a => a.Id == id, cancellationToken)) return Problems.NotFound("Article", id);
            if (!await db.Tickets.AnyAsync(t => t.Id == input.TicketId, cancellationToken)) return Problems.Field("ticketId", $"No ticket with id {input.TicketId}.");
            await RecordUseAsync(db, id, input.TicketId!.Value, ArticleUseVia.Agent, db.Actor.Name, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return TypedResults.Ok(await TicketsAsync(db, id, 500, cancellationToken));
        }).RequireAuthorization(Permissions.TicketsWrite).WithTags("Article").WithName("RecordArticleUse");

        api.MapGet("/articles/{id:long}/feedback", async Task<Results<Ok<ArticleFeedbackCounts>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
            await db.Articles.AnyAsync(a => a.Id == id, cancellationToken) ? TypedResults.Ok(await FeedbackAsync(db, id, cancellationToken)) : Problems.NotFound("Article", id))
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Article").WithName("GetArticleFeedback");

        api.MapPost("/assistant/feedback", async Task<Results<Created<AnswerFeedback>, ProblemHttpResult>> (FeedbackInput input, CrmDb db, AnswerLearning learning, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(input.Question)) return Problems.Field("question", "The question is required.");
            if (string.IsNullOrWhiteSpace(input.Passage)) return Problems.Field("passage", "The passage the assistant answered with is required.");
            if (InputText.Problem(input.Question) is { } q) return Problems.Field("question", q);
            var body = await db.Articles.Where(a => a.Id == input.ArticleId).Select(a => a.Body).FirstOrDefaultAsync(cancellationToken);
            if (body is null) return Problems.Field("articleId", $"No article with id {input.ArticleId}.");
            if (!body.Contains(input.Passage.Trim(), StringComparison.Ordinal)) return Problems.Field("passage", "Not a passage of that article.");
            var feedback = await learning.RecordAsync(db, input.ArticleId!.Value, input.Question, input.Passage, input.Helpful!.Value, db.Actor.Name, cancellationToken);
            return TypedResults.Created($"/api/v1/articles/{feedback.ArticleId}/feedback", feedback);
        }).RequireAuthorization(Permissions.TicketsWrite).WithTags("Assistant").WithName("MarkAssistantAnswer");
    }
}
