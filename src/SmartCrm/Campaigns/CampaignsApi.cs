using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Campaigns;

/// <summary>Campaigns to an audience from segments and filters: drafts, launch, completion and results against the hold-out.</summary>
public static class CampaignsApi
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services) => services.AddScoped<CampaignLaunch>();

    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaign");

        campaigns.MapGet("/", (CrmDb db, int? page, int? pageSize, CancellationToken cancellationToken) =>
                QueryOptions.PageAsync(db.Campaigns.Include(c => c.Variants).OrderByDescending(c => c.Id), page, pageSize, cancellationToken))
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListCampaigns");

        campaigns.MapGet("/{id:long}", async Task<Results<Ok<CampaignView>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
                await CampaignLaunch.ViewAsync(db, id, cancellationToken) is { } view ? TypedResults.Ok(view) : Problems.NotFound("Campaign", id))
            .RequireAuthorization(Permissions.CustomersRead).WithName("GetCampaign");

        campaigns.MapGet("/{id:long}/results.csv", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
                await CampaignLaunch.ViewAsync(db, id, cancellationToken) is { } view
                    ? FigureDownloads.Csv(CampaignResults.Figure(id, view.Results), $"campaign-{id}-results")
                    : Problems.NotFound("Campaign", id))
            .RequireAuthorization(Permissions.CustomersRead).WithName("GetCampaignResultsCsv");

        campaigns.MapPost("/", async Task<Results<Created<Campaign>, ValidationProblem>> (CampaignInput input, HttpContext http, CrmDb db, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (await input.CheckAsync(db, cancellationToken) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
            var campaign = Create(input, db, clock);
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Created($"{http.Request.PathBase}/api/v1/campaigns/{campaign.Id}", campaign);
        }).RequireAuthorization(Permissions.CampaignsWrite).WithName("CreateCampaign");

        campaigns.MapPut("/{id:long}", async Task<Results<Ok<Campaign>, ValidationProblem, ProblemHttpResult>> (long id, CampaignInput input, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (await input.CheckAsync(db, cancellationToken) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
            var campaign = await db.Campaigns.AsTracking().Include(c => c.Variants).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (campaign is null) return Problems.NotFound("Campaign", id);
            if (campaign.Status != CampaignStatus.Draft) return NotDraft(campaign.Status);
            input.ApplyTo(campaign);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(campaign);
        }).RequireAuthorization(Permissions.CampaignsWrite).WithName("UpdateCampaign");

        campaigns.MapPost("/{id:long}/launch", async Task<Results<Ok<CampaignView>, ProblemHttpResult>> (long id, CampaignLaunch launch, CrmDb db, CancellationToken cancellationToken) =>
            await launch.LaunchAsync(id, cancellationToken) switch
            {
                LaunchOutcome.NotFound => Problems.NotFound("Campaign", id),
                LaunchOutcome.NotDraft => NotDraft(CampaignStatus.Launched),
                _ => TypedResults.Ok((await CampaignLaunch.ViewAsync(db, id, cancellationToken))!),
            }).RequireAuthorization(Permissions.CampaignsWrite).WithName("LaunchCampaign");

        campaigns.MapPost("/{id:long}/complete", async Task<Results<Ok<CampaignView>, ProblemHttpResult>> (long id, CrmDb db, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            var campaign = await db.Campaigns.AsTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (campaign is null) return Problems.NotFound("Campaign", id);
            if (campaign.Status != CampaignStatus.Launched)
                return TypedResults.Problem(title: "The campaign is not running", detail: $"status: only a launched campaign can be completed; this one is {campaign.Status}.",
                    statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["status"] = ["Only a launched campaign can be completed."] } });
            campaign.Status = CampaignStatus.Completed;
            campaign.CompletedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok((await CampaignLaunch.ViewAsync(db, id, cancellationToken))!);
        }).RequireAuthorization(Permissions.CampaignsWrite).WithName("CompleteCampaign");

        return api;
    }

    public static Campaign Create(CampaignInput input, CrmDb db, TimeProvider clock)
    {
        var campaign = new Campaign { Name = "", Status = CampaignStatus.Draft, CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedBy = db.Actor.Name };
        input.ApplyTo(campaign);
        return campaign;
    }

    private static ProblemHttpResult NotDraft(CampaignStatus status) =>
        TypedResults.Problem(title: "The campaign is no longer a draft", detail: $"status: a {status} campaign cannot be changed or launched again.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["status"] = [$"The campaign is {status}; only a draft can be changed or launched."] } });
}
