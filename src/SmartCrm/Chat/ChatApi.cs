using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
    public static IServiceCollection AddChat(this IServiceCollection services)
    {
        services.AddScoped<CustomerChat>();
        services.AddScoped<ChatDesk>();
        services.AddScoped(provider => new TypedIdentity(provider.GetRequiredService<ChatDesk>().TypedIdentityAsync));
        services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChatStreams>();
        services.AddOptions<RateLimiterOptions>().Configure(limits =>
        {
            var earlier = limits.OnRejected;
            limits.OnRejected = (context, cancellationToken) => ChatRefusedAsync(context, earlier, cancellationToken);
        });
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
        // Anonymous, so limited per address like the assistant's API. The antiforgery token is checked here rather than by the
        // framework, whose refusal is a bare 400: a visitor whose page expired (or whose form was forged) is sent back to the chat
        // with a message in their language, and nothing is stored.
        app.MapPost("/chat/send", async Task<RedirectHttpResult> (HttpContext http, IAntiforgery antiforgery, CustomerChat chat, CancellationToken cancellationToken) =>
        {
            if (await RefusedFormAsync(http, antiforgery, cancellationToken) is { } refused) return refused;
            var form = http.Request.Form;
            string? text = form["text"];
            var session = await SessionAsync(http, chat, cancellationToken);
            var outcome = await chat.SendAsync(session, text, form["askPerson"] == "true", cancellationToken);
            return TypedResults.Redirect(outcome.Refused ? "/chat?problem=" + Code(outcome, text) : "/chat");
        }).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(KnowledgeApi.AssistantLimiter).ExcludeFromDescription();

        app.MapPost("/chat/identify", async Task<RedirectHttpResult> (HttpContext http, IAntiforgery antiforgery, CustomerChat chat, CancellationToken cancellationToken) =>
        {
            if (await RefusedFormAsync(http, antiforgery, cancellationToken) is { } refusedForm) return refusedForm;
            var session = await SessionAsync(http, chat, cancellationToken);
            var refused = await chat.IdentifyAsync(session, http.Request.Form["name"], http.Request.Form["email"], cancellationToken);
            return TypedResults.Redirect(refused is null ? "/chat" : "/chat?problem=" + refused.Field);
        }).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(KnowledgeApi.AssistantLimiter).ExcludeFromDescription();

        // Anonymous: bounded per chat session and in all (ChatStreams), refused with a status EventSource does not retry.
        app.MapGet("/chat/events", async Task (HttpContext http, CustomerChat chat, ChatStreams streams, TicketFeed feed, IOptions<ChatOptions> options,
            CancellationToken cancellationToken) =>
        {
            var session = await chat.FindAsync(http.Request.Cookies[CustomerChat.CookieName], cancellationToken);
            if (session is null)
            {
                http.Response.StatusCode = StatusCodes.Status204NoContent; // EventSource stops trying on 204.
                return;
            }
            var (lease, refusal) = streams.TryOpen(session.Id);
            if (lease is null)
            {
                await Results.Problem(statusCode: refusal, title: refusal == StatusCodes.Status429TooManyRequests
                    ? $"This chat already has {options.Value.MaxStreamsPerSession} live views open: close one (or reload the page) to get live updates here."
                    : "Too many live chat views are open on this server: reload the page to see new messages.").ExecuteAsync(http);
                return;
            }
            using (lease) await StreamAsync(http, clock, feed, streams, options.Value, ct => chat.StampAsync(session.Id, ct), cancellationToken);
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/service/chat/events", (HttpContext http, ChatDesk desk, TicketFeed feed, ChatStreams streams, IOptions<ChatOptions> options,
            CancellationToken cancellationToken) => StreamAsync(http, clock, feed, streams, options.Value, desk.StampAsync, cancellationToken))
            .RequireAuthorization(Permissions.TicketsWrite).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// A post the chat page cannot take: not a form, a form larger than the server reads, or without a valid antiforgery token
    /// (the page was open too long, the server's keys changed, or another site posted it). Null when the form is good.
    /// </summary>
    private static async Task<RedirectHttpResult?> RefusedFormAsync(HttpContext http, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType) return TypedResults.Redirect("/chat?problem=" + ExpiredProblem);
        try
        {
            await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return TypedResults.Redirect("/chat?problem=long");
        }
        return await antiforgery.IsRequestValidAsync(http) ? null : TypedResults.Redirect("/chat?problem=" + ExpiredProblem);
    }

    /// <summary>The page's code for a post refused before it was read (an expired page or a forged form).</summary>
    public const string ExpiredProblem = "expired";

    /// <summary>The page's code for a post refused by the per-address limit.</summary>
    public const string BusyProblem = "busy";

    /// <summary>
    /// The limiter's refusal of a chat form: back to the chat page, which says to wait, instead of a bare 429 the visitor would
    /// see as an error page. Other refusals keep the limiter's status.
    /// </summary>
    private static ValueTask ChatRefusedAsync(OnRejectedContext context, Func<OnRejectedContext, CancellationToken, ValueTask>? earlier, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if (!http.Request.Path.StartsWithSegments("/chat")) return earlier?.Invoke(context, cancellationToken) ?? ValueTask.CompletedTask;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = "/chat?problem=" + BusyProblem;
        return ValueTask.CompletedTask;
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
    /// Server-sent events: the chat's stamp each time it changes, for ten minutes; the browser's EventSource then connects again by
    /// itself, so a stream never outlives a restarted server for long. The stream looks (one small query) when this node's
    /// <see cref="TicketFeed"/> says a ticket changed, and otherwise only every <see cref="ChatOptions.PollSeconds"/>: that slow
    /// look is the fallback for changes stored by another node, which this node's feed never hears of.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, TimeProvider clock, TicketFeed feed, ChatStreams streams, ChatOptions options,
        Func<CancellationToken, Task<string>> stamp, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.WriteAsync("retry: 2000\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        var until = clock.GetUtcNow() + TimeSpan.FromMinutes(10);
        var poll = TimeSpan.FromSeconds(options.PollSeconds);
        var last = "";
        try
        {
            // Read before looking, so a change stored while the stamp is read wakes the next wait at once.
            var seen = feed.Version;
            while (clock.GetUtcNow() < until)
            {
                var now = await stamp(cancellationToken);
                streams.Looked();
                if (now != last)
                {
                    await http.Response.WriteAsync($"data: {now}\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                    last = now;
                }
                var left = until - clock.GetUtcNow();
                if (left <= TimeSpan.Zero) break;
                seen = await feed.WaitAsync(seen, left < poll ? left : poll, clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser left.
        }
    }
}
