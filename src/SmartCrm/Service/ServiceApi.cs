using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Tickets;
using SmartCrm.Triage;

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

        tickets.MapGet("/sla-policies", () => TypedResults.Ok(Sla.Policies)).RequireAuthorization(Permissions.CustomersRead).WithName("ListSlaPolicies");

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
            TicketTriage triage, ILogger<ChannelInbox> logger, CancellationToken cancellationToken) =>
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
            var delivered = await inbox.DeliverAsync(channel, message, cancellationToken);
            if (!delivered.Duplicate) await TriageOnArrivalAsync(triage, delivered.TicketId, logger, cancellationToken);
            return delivered.Duplicate ? TypedResults.Ok(delivered) : TypedResults.Created($"{http.Request.PathBase}/api/v1/tickets/{delivered.TicketId}", delivered);
        }).AllowAnonymous().WithTags("Channel").WithName("PostChannelMessage");
        return api;
    }

    /// <summary>
    /// Triage on arrival: the ticket's category, mood and priority are set before the channel hears back. The message is stored
    /// already; if triage fails the triage job takes the ticket up on its next round, so a failure here only costs time.
    /// </summary>
    private static async Task TriageOnArrivalAsync(TicketTriage triage, long ticketId, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await triage.TriageAsync(ticketId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Triage of ticket {TicketId} on arrival failed; the triage job will try again", ticketId);
        }
    }

    /// <summary>Largest message body read: the text's 8,000 characters escaped as JSON, with room for the other fields.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private static Results<Ok<Ticket>, ProblemHttpResult> Answer(DeskResult result) =>
        result.Ticket is { } ticket ? TypedResults.Ok(ticket) : result.Problem();
}

public sealed record BulkDone(int Changed);
