using Microsoft.AspNetCore.Http.HttpResults;
using SmartCrm.Models;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Insights;

/// <summary>Insights trained from the CRM's own data: churn propensity (scores stored by the training job).</summary>
public static class InsightsApi
{
    public static IServiceCollection AddInsights(this IServiceCollection services)
    {
        services.AddSingleton<ChurnTraining>();
        services.AddSingleton<ModelTraining>(s => s.GetRequiredService<ChurnTraining>());
        services.AddScoped<ChurnReader>();
        services.AddSingleton<ModelTraining, SegmentTraining>();
        services.AddScoped<SegmentFigures>();
        return services;
    }

    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/customers/{id:long}/churn", async Task<Results<Ok<ChurnInsight>, ProblemHttpResult>> (long id, ChurnReader reader, CancellationToken cancellationToken) =>
                await reader.ReadAsync(id, cancellationToken) is { } churn ? TypedResults.Ok(churn) : Problems.NotFound("ChurnScore", id))
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Insights").WithName("GetCustomerChurn");
        api.MapGet("/segments", async (SmartCrm.Storage.CrmDb db, CancellationToken cancellationToken) =>
                TypedResults.Ok(await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.Segments.OrderBy(s => s.Number), cancellationToken)))
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Insights").WithName("ListSegments");
        // The numbers behind the segments page's charts (size, spend, churn per segment; silhouette per k) as CSV.
        api.MapGet("/segments/{name}.csv", async Task<Results<FileContentHttpResult, NotFound>> (string name, SegmentFigures figures, CancellationToken cancellationToken) =>
                SegmentFigures.Names.Contains(name, StringComparer.Ordinal)
                    ? SmartCrm.Web.FigureDownloads.Csv((await figures.ReadAsync(cancellationToken))[name], "segments-" + name)
                    : TypedResults.NotFound())
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Insights").WithName("SegmentFigureCsv");
        return api;
    }
}
