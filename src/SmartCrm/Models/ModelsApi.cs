using Microsoft.AspNetCore.Http.HttpResults;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Models;

/// <summary>The model registry's history and the training runs: list, request, cancel.</summary>
public static class ModelsApi
{
    private const int Limit = 200;

    public static IServiceCollection AddModels(this IServiceCollection services)
    {
        services.AddOptions<ModelsOptions>().BindConfiguration(ModelsOptions.Section);
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<TrainingRequests>();
        services.AddHostedService<ModelTrainingJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models");
        models.MapGet("", async (string? kind, ModelRegistry registry, CancellationToken cancellationToken) =>
                TypedResults.Ok(await registry.HistoryAsync(kind, Limit, cancellationToken)))
            .RequireAuthorization(Permissions.ModelsRead).WithName("ListModelVersions");
        models.MapGet("/runs", async (string? kind, TrainingRequests requests, CancellationToken cancellationToken) =>
                TypedResults.Ok(await requests.RecentAsync(kind, Limit, cancellationToken)))
            .RequireAuthorization(Permissions.ModelsRead).WithName("ListTrainingRuns");
        models.MapGet("/runs/{id:long}", async Task<Results<Ok<TrainingRun>, ProblemHttpResult>> (long id, TrainingRequests requests, CancellationToken cancellationToken) =>
                await requests.FindAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : Problems.NotFound("TrainingRun", id))
            .RequireAuthorization(Permissions.ModelsRead).WithName("GetTrainingRun");
        models.MapGet("/{kind}/metrics.csv", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (string kind, ModelRegistry registry, TrainingRequests requests, CancellationToken cancellationToken) =>
                requests.Kinds.Contains(kind)
                    ? SmartCrm.Web.FigureDownloads.Csv(ModelMetrics.Of(kind, await registry.HistoryAsync(kind, Limit, cancellationToken)), $"model-{kind}-metrics")
                    : Problems.Field("kind", $"No model kind '{Shorten(kind)}'; known: {string.Join(", ", requests.Kinds)}."))
            .RequireAuthorization(Permissions.ModelsRead).WithName("ModelMetricsCsv");
        models.MapPost("/{kind}/train", async Task<Results<Accepted<TrainingRun>, ProblemHttpResult>> (string kind, HttpContext http, TrainingRequests requests, CancellationToken cancellationToken) =>
                await requests.RequestAsync(kind, http.User.Identity?.Name ?? "api", cancellationToken) is { } run
                    ? TypedResults.Accepted($"/api/v1/models/runs/{run.Id}", run)
                    : Problems.Field("kind", $"No model kind '{Shorten(kind)}'; known: {string.Join(", ", requests.Kinds)}."))
            .RequireAuthorization(Permissions.ModelsTrain).WithName("TrainModel");
        models.MapPost("/runs/{id:long}/cancel", async Task<Results<Accepted<TrainingRun>, ProblemHttpResult>> (long id, TrainingRequests requests, CancellationToken cancellationToken) =>
                await requests.CancelAsync(id, cancellationToken) is { } run ? TypedResults.Accepted($"/api/v1/models/runs/{run.Id}", run) : Problems.NotFound("TrainingRun", id))
            .RequireAuthorization(Permissions.ModelsTrain).WithName("CancelTraining");
        return api;
    }

    private static string Shorten(string text) => text.Length > 50 ? text[..50] + "…" : text;
}
