using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

public sealed record ReplyInput
{
    [Required, MaxLength(TicketDesk.MaxBody)] public string? Body { get; init; }
    /// <summary>The status after the reply (e.g. Pending while waiting on the customer); by default New becomes Open.</summary>
    public TicketStatus? Status { get; init; }
}

public sealed record NoteInput
{
    [Required, MaxLength(TicketDesk.MaxBody)] public string? Body { get; init; }
}

public sealed record AssignInput
{
    /// <summary>The user to assign (manual); blank unassigns. Ignored when <see cref="By"/> picks the agent.</summary>
    [MaxLength(100)] public string? Assignee { get; init; }
    public AssignBy? By { get; init; }
}

public sealed record StatusInput
{
    [Required] public TicketStatus? Status { get; init; }
}

public sealed record RatingInput
{
    [Required, Range(1, 5)] public int? Score { get; init; }
    [MaxLength(1000)] public string? Comment { get; init; }
}

public sealed record BulkInput
{
    [Required, MinLength(1), MaxLength(500)] public List<long>? Ids { get; init; }
    [MaxLength(100)] public string? Assignee { get; init; }
    public TicketStatus? Status { get; init; }
}

public sealed record QueueInput
{
    /// <summary>The queue to put the ticket in; null takes it out of any.</summary>
    public long? QueueId { get; init; }
}

public sealed record MergeInput
{
    /// <summary>The ticket this one is merged into.</summary>
    [Required] public long? Into { get; init; }
}

public sealed record SplitInput
{
    [Required] public long? MessageId { get; init; }
    [MaxLength(300)] public string? Subject { get; init; }
}

public sealed record SlaPolicyInput
{
    [Required] public int? FirstResponseMinutes { get; init; }
    [Required] public int? ResolutionMinutes { get; init; }
}

public sealed record TicketQueueInput
{
    [Required, MaxLength(50)] public string? Name { get; init; }
    public int? Position { get; init; }
    public TicketKind? Kind { get; init; }
    [MaxLength(20)] public string? Channel { get; init; }
    [MaxLength(100)] public string? Category { get; init; }
}

public sealed record SkillsInput
{
    [Required, MaxLength(50), EachMaxLength(100)] public List<string>? Skills { get; init; }
}

public sealed record SavedViewInput
{
    [Required, MaxLength(50)] public string? Page { get; init; }
    [Required, MaxLength(100)] public string? Name { get; init; }
    [MaxLength(2000)] public string? Query { get; init; }
}

/// <summary>A ticket with where its SLA clocks stand.</summary>
public sealed record TicketSla(long TicketId, TicketStatus Status, Priority Priority, CustomerTier Tier, SlaTarget FirstResponse, SlaTarget Resolution, bool BreachWarning, bool Breached);

/// <summary>The service desk: what agents do with tickets (the ticket page and its API), across customers, devices and alarms.</summary>
public static class ServiceApi
{
    public static IServiceCollection AddService(this IServiceCollection services)
    {
        services.AddScoped<TicketDesk>();
        services.AddOptions<ChannelOptions>().BindConfiguration(ChannelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignedWebhooks>();
        services.AddScoped<ChannelInbox>();
        services.AddScoped<DeskSetup>();
        services.AddScoped<UserViews>();
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(WebhookAdapter.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<IChannelAdapter, EmailAdapter>();
        services.AddSingleton<IChannelAdapter, WebhookAdapter>();
        services.AddScoped<ChannelOutbox>();
        services.AddSingleton<TicketFeed>();
        services.AddScoped<CallBacks>();
        services.AddHostedService<OutboxJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapServiceApi(this IEndpointRouteBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("Ticket");

        tickets.MapGet("/{id:long}/messages", async Task<Results<Ok<List<TicketMessage>>, ProblemHttpResult>> (long id, CrmDb db, TicketDesk desk, CancellationToken cancellationToken) =>
            await db.Tickets.AnyAsync(t => t.Id == id, cancellationToken) ? TypedResults.Ok(await desk.ConversationAsync(id, cancellationToken)) : Problems.NotFound("Ticket", id))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListTicketMessages");

        tickets.MapGet("/{id:long}/sla", async Task<Results<Ok<TicketSla>, ProblemHttpResult>> (long id, CrmDb db, TicketDesk desk, CancellationToken cancellationToken) =>
        {
            var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
            if (ticket is null) return Problems.NotFound("Ticket", id);
            var clock = desk.Clock(ticket);
            return TypedResults.Ok(new TicketSla(ticket.Id, ticket.Status, ticket.Priority, ticket.Tier, clock.FirstResponse, clock.Resolution, clock.BreachWarning, clock.Breached));
        }).RequireAuthorization(Permissions.CustomersRead).WithName("GetTicketSla");

        tickets.MapGet("/sla-policies", async (DeskSetup setup, CancellationToken cancellationToken) => TypedResults.Ok(await setup.PoliciesAsync(cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListSlaPolicies");

        tickets.MapPut("/sla-policies/{priority}/{tier}", async Task<Results<Ok<SlaPolicy>, ProblemHttpResult>> (string priority, string tier, SlaPolicyInput input, DeskSetup setup,
            CancellationToken cancellationToken) =>
        {
            if (!Enum.TryParse<Priority>(priority, true, out var p) || !Enum.IsDefined(p)) return Problems.Field("priority", $"One of {string.Join(", ", Enum.GetNames<Priority>())}.");
            if (!Enum.TryParse<CustomerTier>(tier, true, out var t) || !Enum.IsDefined(t)) return Problems.Field("tier", $"One of {string.Join(", ", Enum.GetNames<CustomerTier>())}.");
            var (policy, problem) = await setup.SetPolicyAsync(p, t, input.FirstResponseMinutes, input.ResolutionMinutes, cancellationToken);
            return policy is not null ? TypedResults.Ok(policy) : Problems.Field(problem!.Field, problem.Message);
        }).RequireAuthorization(Permissions.DeskConfigure).WithName("SetSlaPolicy");

        tickets.MapPost("/{id:long}/queue", async (long id, QueueInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.QueueAsync(id, input.QueueId, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("QueueTicket");

        tickets.MapPost("/{id:long}/merge", async (long id, MergeInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.MergeAsync(id, input.Into, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("MergeTicket");

        tickets.MapPost("/{id:long}/split", async Task<Results<Created<Ticket>, ProblemHttpResult>> (long id, SplitInput input, TicketDesk desk, HttpContext http,
            CancellationToken cancellationToken) =>
        {
            var result = await desk.SplitAsync(id, input.MessageId, input.Subject, cancellationToken);
            return result.Ticket is { } split ? TypedResults.Created($"{http.Request.PathBase}/api/v1/tickets/{split.Id}", split) : result.Problem();
        }).RequireAuthorization(Permissions.TicketsWrite).WithName("SplitTicket");

        var queues = api.MapGroup("/ticket-queues").WithTags("Ticket");
        queues.MapGet("/", async (DeskSetup setup, CancellationToken cancellationToken) => TypedResults.Ok(await setup.QueuesAsync(cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListTicketQueues");
        queues.MapPost("/", async Task<Results<Created<TicketQueue>, ProblemHttpResult>> (TicketQueueInput input, DeskSetup setup, HttpContext http, CancellationToken cancellationToken) =>
        {
            var (queue, problem) = await setup.AddQueueAsync(input.Name, input.Position, input.Kind, input.Channel, input.Category, cancellationToken);
            return queue is not null ? TypedResults.Created($"{http.Request.PathBase}/api/v1/ticket-queues/{queue.Id}", queue) : Problems.Field(problem!.Field, problem.Message);
        }).RequireAuthorization(Permissions.DeskConfigure).WithName("AddTicketQueue");
        queues.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, DeskSetup setup, CancellationToken cancellationToken) =>
            await setup.RemoveQueueAsync(id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("Queue", id))
            .RequireAuthorization(Permissions.DeskConfigure).WithName("RemoveTicketQueue");

        var skills = api.MapGroup("/agent-skills").WithTags("Ticket");
        skills.MapGet("/", async (DeskSetup setup, CancellationToken cancellationToken) => TypedResults.Ok(await setup.SkillsAsync(cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListAgentSkills");
        skills.MapPut("/{userName}", async Task<Results<Ok<List<string>>, ProblemHttpResult>> (string userName, SkillsInput input, DeskSetup setup, CancellationToken cancellationToken) =>
        {
            var (set, problem) = await setup.SetSkillsAsync(userName, input.Skills, cancellationToken);
            return set is not null ? TypedResults.Ok(set) : Problems.Field(problem!.Field, problem.Message);
        }).RequireAuthorization(Permissions.DeskConfigure).WithName("SetAgentSkills");

        // Saved views belong to whoever is signed in (the user or the API key): anyone who may read the list may keep views of it.
        var views = api.MapGroup("/saved-views").WithTags("Ticket");
        views.MapGet("/", async (string? page, UserViews saved, CrmDb db, CancellationToken cancellationToken) =>
            TypedResults.Ok(await saved.ListAsync(db.Actor.Name, page ?? "tickets", cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListSavedViews");
        views.MapPost("/", async Task<Results<Ok<SavedView>, ProblemHttpResult>> (SavedViewInput input, UserViews saved, CrmDb db, CancellationToken cancellationToken) =>
        {
            var (view, problem) = await saved.SaveAsync(db.Actor.Name, input.Page, input.Name, input.Query, cancellationToken);
            return view is not null ? TypedResults.Ok(view) : Problems.Field(problem!.Field, problem.Message);
        }).RequireAuthorization(Permissions.CustomersRead).WithName("SaveView");
        views.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, UserViews saved, CrmDb db, CancellationToken cancellationToken) =>
            await saved.DeleteAsync(db.Actor.Name, id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("Saved view", id))
            .RequireAuthorization(Permissions.CustomersRead).WithName("DeleteSavedView");

        var outbox = api.MapGroup("/outbox").WithTags("Channel");
        outbox.MapGet("/", async (long? ticketId, OutboundStatus? status, CrmDb db, CancellationToken cancellationToken) =>
        {
            var query = db.OutboundMessages.AsQueryable();
            if (ticketId is { } t) query = query.Where(m => m.TicketId == t);
            if (status is { } s) query = query.Where(m => m.Status == s);
            return TypedResults.Ok(await query.OrderByDescending(m => m.Id).Take(200).ToListAsync(cancellationToken));
        }).RequireAuthorization(Permissions.CustomersRead).WithName("ListOutbox");
        outbox.MapPost("/{id:long}/retry", async Task<Results<Ok<OutboundMessage>, ProblemHttpResult>> (long id, ChannelOutbox sender, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (!await db.OutboundMessages.AnyAsync(m => m.Id == id, cancellationToken)) return Problems.NotFound("Outbound message", id);
            await sender.RetryNowAsync(id, cancellationToken);
            return TypedResults.Ok(await db.OutboundMessages.FirstAsync(m => m.Id == id, cancellationToken));
        }).RequireAuthorization(Permissions.TicketsWrite).WithName("RetryOutbound");
        outbox.MapGet("/call-backs", async (bool? mine, CallBacks calls, CrmDb db, CancellationToken cancellationToken) =>
            TypedResults.Ok(await calls.DueAsync(mine == true ? db.Actor.Name : null, cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListCallBacks");
        outbox.MapPost("/{id:long}/called", async (long id, CalledInput input, CallBacks calls, CancellationToken cancellationToken) =>
            Answer(await calls.CalledAsync(id, input.Note, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("RecordCallBack");

        tickets.MapPost("/{id:long}/replies", async (long id, ReplyInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.ReplyAsync(id, input.Body, input.Status, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("ReplyToTicket");

        tickets.MapPost("/{id:long}/notes", async (long id, NoteInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.NoteAsync(id, input.Body, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("NoteOnTicket");

        tickets.MapPost("/{id:long}/assign", async (long id, AssignInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.AssignAsync(id, input.Assignee, input.By ?? AssignBy.Manual, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("AssignTicket");

        tickets.MapPost("/{id:long}/status", async (long id, StatusInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.MoveAsync(id, input.Status!.Value, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("MoveTicket");

        tickets.MapPost("/{id:long}/rating", async (long id, RatingInput input, TicketDesk desk, CancellationToken cancellationToken) =>
            Answer(await desk.RateAsync(id, input.Score, input.Comment, cancellationToken)))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("RateTicket");

        tickets.MapPost("/bulk", async Task<Results<Ok<BulkDone>, ProblemHttpResult>> (BulkInput input, TicketDesk desk, CancellationToken cancellationToken) =>
        {
            if (input.Assignee is null && input.Status is null) return Problems.Field("assignee", "Name an assignee or a status (or both).");
            var agents = await desk.AgentsAsync(cancellationToken);
            if (Normalise.Text(input.Assignee) is { } name && !agents.Contains(name, StringComparer.Ordinal))
                return Problems.Field("assignee", "Not an active user who may work tickets.");
            return TypedResults.Ok(new BulkDone(await desk.BulkAsync(input.Ids!, input.Assignee, input.Status, cancellationToken)));
        }).RequireAuthorization(Permissions.TicketsWrite).WithName("BulkTickets");

        // The one inbox: channels post here, signed (see SignedWebhooks), not signed in; the signature is the credential.
        api.MapPost("/channels/{channel}/messages", async Task<IResult> (string channel, HttpContext http, SignedWebhooks webhooks, ChannelInbox inbox,
            ILogger<ChannelInbox> logger, CancellationToken cancellationToken) =>
        {
            if (!ChannelOptions.Known.ContainsKey(channel) || !webhooks.Enabled(channel))
            {
                return TypedResults.Problem(title: "Channel not found", detail: $"No channel named '{InputText.Cut(InputText.Printable(channel), 40)}' is enabled.",
                    statusCode: StatusCodes.Status404NotFound, extensions: new Dictionary<string, object?> { ["known"] = ChannelOptions.Known.Keys.ToArray() });
            }
            if (await BoundedBody.ReadAsync(http.Request, MaxMessageBytes, cancellationToken) is not { } body) return Problems.Field("text", $"The message is larger than {MaxMessageBytes / 1024:N0} KB.");
            var refusal = webhooks.Refusal(channel, http.Request.Headers[SignedWebhooks.TimestampHeader], http.Request.Headers[SignedWebhooks.SignatureHeader], body.Span);
            if (refusal is not null)
            {
                logger.LogWarning("Refused a message on {Channel}: {Reason}", channel, refusal);
                return TypedResults.Problem(title: "The webhook is not signed, stale or replayed.", detail: refusal, statusCode: StatusCodes.Status401Unauthorized);
            }
            var (message, field, problem) = ChannelInbox.Parse(body.Span);
            if (message is null) return Problems.Field(field!, problem!);
            // Triaged and routed on arrival, in the message's own transaction: the channel hears back once the ticket is complete.
            var delivered = await inbox.DeliverAsync(channel, message, cancellationToken, triageOnArrival: true);
            return delivered.Duplicate ? TypedResults.Ok(delivered) : TypedResults.Created($"{http.Request.PathBase}/api/v1/tickets/{delivered.TicketId}", delivered);
        }).AllowAnonymous().WithTags("Channel").WithName("PostChannelMessage").AddEndpointFilter(TicketFeed.AfterInbound);
        return api;
    }

    /// <summary>Largest message body read: the text's 8,000 characters escaped as JSON, with room for the other fields.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private static Results<Ok<Ticket>, ProblemHttpResult> Answer(DeskResult result) =>
        result.Ticket is { } ticket ? TypedResults.Ok(ticket) : result.Problem();
}

public sealed record BulkDone(int Changed);
