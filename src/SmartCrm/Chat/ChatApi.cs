using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Knowledge;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Service;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Chat;

/// <summary>An agent's answer in a chat (POST /api/v1/chats/{ticketId}/replies).</summary>
public sealed record ChatReplyInput
{
    [MaxLength(TicketDesk.MaxBody)] public string? Body { get; init; }
    /// <summary>An article whose passage is added to the reply; it is recorded as used on the ticket.</summary>
    public long? ArticleId { get; init; }
    public bool? Close { get; init; }
}

public sealed record ChatMarkInput
{
    [Required] public bool? Helpful { get; init; }
}

/// <summary>A chat as the API shows it: its ticket's lines in order.</summary>
public sealed record ChatConversation(long TicketId, IReadOnlyList<ChatLine> Lines);

/// <summary>
/// The customers' chat page (/chat, no sign-in) and the agents' chat console (/service/chat), both live: the page holds an
/// EventSource on a small server-sent-events address that says when the chat changed, and swaps in the changed parts.
/// </summary>
public static class ChatApi
{
    /// <summary>How often the live views look for a change (one small query each).</summary>
    public static readonly TimeSpan LiveEvery = TimeSpan.FromSeconds(1);

    public static IServiceCollection AddChat(this IServiceCollection services)
    {
        services.AddScoped<CustomerChat>();
        services.AddScoped<ChatDesk>();
        return services;
    }

    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder api)
    {
        var chats = api.MapGroup("/chats").WithTags("Chat");
        chats.MapGet("", async (ChatDesk desk, CancellationToken cancellationToken) => TypedResults.Ok(await desk.WaitingAsync(cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListWaitingChats");
        chats.MapGet("/{ticketId:long}", async Task<Results<Ok<ChatConversation>, ProblemHttpResult>> (long ticketId, CrmDb db, ChatDesk desk, CancellationToken cancellationToken) =>
            await db.Tickets.AnyAsync(t => t.Id == ticketId, cancellationToken)
                ? TypedResults.Ok(new ChatConversation(ticketId, await desk.ConversationAsync(ticketId, cancellationToken)))
                : Problems.NotFound("Ticket", ticketId))
            .RequireAuthorization(Permissions.CustomersRead).WithName("GetChat");
        chats.MapPost("/{ticketId:long}/replies", async Task<Results<Ok<Ticket>, ProblemHttpResult>> (long ticketId, ChatReplyInput input, ChatDesk desk, CancellationToken cancellationToken) =>
        {
            var result = await desk.ReplyAsync(ticketId, input.Body, input.ArticleId, input.Close ?? false, cancellationToken);
            return result.Ticket is { } ticket ? TypedResults.Ok(ticket) : result.Problem();
        }).RequireAuthorization(Permissions.TicketsWrite).WithName("ReplyInChat");
        chats.MapPost("/lines/{lineId:long}/mark", async Task<Results<NoContent, ProblemHttpResult>> (long lineId, ChatMarkInput input, ChatDesk desk, CancellationToken cancellationToken) =>
            await desk.MarkAsync(lineId, input.Helpful!.Value, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("Assistant answer", lineId))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("MarkChatAnswer");
        return api;
    }

    /// <summary>The chat page's form posts and the live views' event streams (outside /api: they serve pages, not programs).</summary>
    public static IEndpointRouteBuilder MapChatPages(this IEndpointRouteBuilder app, TimeProvider clock)
    {
        // Anonymous, so limited per address like the assistant's API; the form carries an antiforgery token (checked for [FromForm]).
        app.MapPost("/chat/send", async Task<RedirectHttpResult> ([FromForm] string? text, [FromForm] string? askPerson, HttpContext http, CustomerChat chat,
            CancellationToken cancellationToken) =>
        {
            var session = await SessionAsync(http, chat, cancellationToken);
            var outcome = await chat.SendAsync(session, text, askPerson == "true", cancellationToken);
            return TypedResults.Redirect(outcome.Refused ? "/chat?problem=" + Code(outcome, text) : "/chat");
        }).AllowAnonymous().RequireRateLimiting(KnowledgeApi.AssistantLimiter).ExcludeFromDescription();

        app.MapPost("/chat/identify", async Task<RedirectHttpResult> ([FromForm] string? name, [FromForm] string? email, HttpContext http, CustomerChat chat,
            CancellationToken cancellationToken) =>
        {
            var session = await SessionAsync(http, chat, cancellationToken);
            var refused = await chat.IdentifyAsync(session, name, email, cancellationToken);
            return TypedResults.Redirect(refused is null ? "/chat" : "/chat?problem=" + refused.Field);
        }).AllowAnonymous().RequireRateLimiting(KnowledgeApi.AssistantLimiter).ExcludeFromDescription();

        app.MapGet("/chat/events", async Task (HttpContext http, CustomerChat chat, CancellationToken cancellationToken) =>
        {
            var session = await chat.FindAsync(http.Request.Cookies[CustomerChat.CookieName], cancellationToken);
            if (session is null)
            {
                http.Response.StatusCode = StatusCodes.Status204NoContent; // EventSource stops trying on 204.
                return;
            }
            await StreamAsync(http, clock, ct => chat.StampAsync(session.Id, ct), cancellationToken);
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/service/chat/events", (HttpContext http, ChatDesk desk, CancellationToken cancellationToken) =>
            StreamAsync(http, clock, desk.StampAsync, cancellationToken))
            .RequireAuthorization(Permissions.TicketsWrite).ExcludeFromDescription();
        return app;
    }

    /// <summary>The problem's code for the page (which says it in the visitor's language).</summary>
    private static string Code(ChatOutcome outcome, string? text) => outcome.Field switch
    {
        "text" when string.IsNullOrWhiteSpace(text) => "empty",
        "text" when text!.Length > CustomerChat.MaxText => "long",
        "text" => "invalid",
        var field => field ?? "invalid",
    };

    private static async Task<ChatSession> SessionAsync(HttpContext http, CustomerChat chat, CancellationToken cancellationToken)
    {
        if (await chat.FindAsync(http.Request.Cookies[CustomerChat.CookieName], cancellationToken) is { } found) return found;
        var (session, token) = await chat.StartAsync(cancellationToken);
        http.Response.Cookies.Append(CustomerChat.CookieName, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, MaxAge = TimeSpan.FromDays(30), IsEssential = true, Path = "/chat",
        });
        return session;
    }

    /// <summary>
    /// Server-sent events: the chat's stamp each time it changes (looked at every <see cref="LiveEvery"/>), for ten minutes; the
    /// browser's EventSource then connects again by itself, so a stream never outlives a restarted server for long.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, TimeProvider clock, Func<CancellationToken, Task<string>> stamp, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.WriteAsync("retry: 2000\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        var until = clock.GetUtcNow() + TimeSpan.FromMinutes(10);
        var last = "";
        try
        {
            while (clock.GetUtcNow() < until)
            {
                var now = await stamp(cancellationToken);
                if (now != last)
                {
                    await http.Response.WriteAsync($"data: {now}\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    last = now;
                }
                await Task.Delay(LiveEvery, clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser left.
        }
    }
}
