using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Models;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Triage;

public static class TriageApi
{
    public static IServiceCollection AddTriage(this IServiceCollection services)
    {
        services.AddOptions<TriageOptions>().BindConfiguration(TriageOptions.Section);
        services.AddSingleton<TriageModels>();
        services.AddSingleton<ModelTraining, TriageTraining>();
        services.AddScoped<TicketTriage>();
        services.AddSingleton<TriageJob>();
        services.AddHostedService(s => s.GetRequiredService<TriageJob>());
        return services;
    }

    public static IEndpointRouteBuilder MapTriageApi(this IEndpointRouteBuilder api)
    {
        var tickets = api.MapGroup("/tickets/{id:long}/triage").WithTags("Triage");

        tickets.MapGet("/", async Task<Results<Ok<TriageView>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
        {
            var decision = await db.Set<TriageDecision>().FirstOrDefaultAsync(d => d.TicketId == id, cancellationToken);
            if (decision is not null) return TypedResults.Ok(TriageView.Of(decision));
            return await db.Tickets.AnyAsync(t => t.Id == id, cancellationToken)
                ? TypedResults.Problem(title: "Not triaged yet", detail: $"Ticket {id} has not been triaged yet; POST to this address triages it now.",
                    statusCode: StatusCodes.Status404NotFound)
                : Problems.NotFound("Ticket", id);
        }).RequireAuthorization(Permissions.CustomersRead).WithName("GetTicketTriage");

        tickets.MapPost("/", async Task<Results<Ok<TriageView>, ProblemHttpResult>> (long id, TicketTriage triage, CancellationToken cancellationToken) =>
            await triage.TriageAsync(id, cancellationToken) is { } decision ? TypedResults.Ok(TriageView.Of(decision)) : Problems.NotFound("Ticket", id))
            .RequireAuthorization(Permissions.TicketsWrite).WithName("TriageTicket");

        tickets.MapPut("/", async Task<Results<Ok<TriageView>, ProblemHttpResult>> (long id, TriageCorrection correction, TicketTriage triage, Actor actor,
            CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(correction.Category)) return Problems.Field("category", "The category is required.");
            return await triage.CorrectAsync(id, correction.Category, actor.Name, cancellationToken) is { } decision
                ? TypedResults.Ok(TriageView.Of(decision))
                : Problems.NotFound("Ticket", id);
        }).RequireAuthorization(Permissions.TicketsWrite).WithName("CorrectTicketTriage");

        return api;
    }
}
