using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using SmartCrm.Models;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Forecasts;

/// <summary>
/// Forecasts with intervals of demand per product, revenue per segment and device usage (with consumables falling due), each
/// kind trained as a model ("demand-forecast", ...; train through /models) and read here.
/// </summary>
public static class ForecastsApi
{
    public static IServiceCollection AddForecasts(this IServiceCollection services)
    {
        services.AddOptions<ForecastsOptions>().BindConfiguration(ForecastsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ModelTraining, DemandForecastTraining>();
        services.AddSingleton<ModelTraining, RevenueForecastTraining>();
        services.AddSingleton<ModelTraining, UsageForecastTraining>();
        services.AddScoped<ForecastReader>();
        return services;
    }

    public static IEndpointRouteBuilder MapForecastsApi(this IEndpointRouteBuilder api)
    {
        var forecasts = api.MapGroup("/forecasts").WithTags("Forecasts").RequireAuthorization(Permissions.CustomersRead);
        forecasts.MapGet("", async Task<Results<Ok<List<ForecastSeries>>, ProblemHttpResult>> (string? kind, ForecastReader reader, CancellationToken cancellationToken) =>
                Known(kind ?? "") is { } problem ? problem : TypedResults.Ok(await reader.ListAsync(kind!, cancellationToken)))
            .WithName("ListForecasts");
        forecasts.MapGet("/{kind}/{subjectId:long}", async Task<Results<Ok<ForecastView>, ProblemHttpResult>> (string kind, long subjectId, ForecastReader reader, CancellationToken cancellationToken) =>
            {
                if (Known(kind) is { } problem) return problem;
                return await reader.FindAsync(kind, subjectId, cancellationToken) is { } view ? TypedResults.Ok(view) : Problems.NotFound("Forecast", subjectId);
            })
            .WithName("GetForecast");
        forecasts.MapGet("/{kind}/{subjectId:long}.csv", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (string kind, long subjectId, ForecastReader reader, CancellationToken cancellationToken) =>
            {
                if (Known(kind) is { } problem) return problem;
                return await reader.FindAsync(kind, subjectId, cancellationToken) is { } view
                    ? TypedResults.File(Encoding.UTF8.GetBytes(view.ToCsv()), "text/csv; charset=utf-8", $"forecast-{kind}-{subjectId}.csv")
                    : Problems.NotFound("Forecast", subjectId);
            })
            .WithName("GetForecastCsv");
        return api;
    }

    private static ProblemHttpResult? Known(string kind) =>
        ForecastKinds.All.Contains(kind, StringComparer.Ordinal) ? null : Problems.Field("kind", $"kind must be one of {string.Join(", ", ForecastKinds.All)}.");
}
