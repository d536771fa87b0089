using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Models;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Recommendations;

/// <summary>Recommendations per customer: trained as the "recommendations" model (train it through /models), read and answered here.</summary>
public static class RecommendationsApi
{
    public const int MaxTake = 100;

    public static IServiceCollection AddRecommendations(this IServiceCollection services)
    {
        services.AddOptions<RecommendationsOptions>().BindConfiguration(RecommendationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RecommendationTraining>();
        services.AddSingleton<ModelTraining>(s => s.GetRequiredService<RecommendationTraining>());
        services.AddScoped<CustomerRecommendations>();
        return services;
    }

    public static IEndpointRouteBuilder MapRecommendationsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/customers/{id:long}/recommendations").WithTags("Recommendations");
        group.MapGet("", async Task<Results<Ok<IReadOnlyList<RecommendationView>>, ProblemHttpResult>> (long id, int? take, CrmDb db, CustomerRecommendations recommendations, CancellationToken cancellationToken) =>
            {
                if (take is < 1 or > MaxTake) return Problems.Field("take", $"take must be from 1 to {MaxTake}.");
                if (!await db.Customers.AnyAsync(c => c.Id == id, cancellationToken)) return Problems.NotFound("Customer", id);
                return TypedResults.Ok(await recommendations.ReadAsync(id, take ?? CustomerRecommendations.Shown, cancellationToken));
            })
            .RequireAuthorization(Permissions.CustomersRead).WithName("ListCustomerRecommendations");
        group.MapPost("/feedback", async Task<Results<NoContent, ProblemHttpResult>> (long id, FeedbackRequest? body, HttpContext http, CustomerRecommendations recommendations, CancellationToken cancellationToken) =>
            {
                if (body?.ProductId is not { } product) return Problems.Field("productId", "productId is required.");
                if (!Enum.TryParse<FeedbackKind>(body.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(body.Kind, out _))
                {
                    return Problems.Field("kind", "kind must be one of shown, accepted, dismissed, bought.");
                }
                return await recommendations.RecordAsync(id, product, kind, http.User.Identity?.Name ?? "api", cancellationToken)
                    ? TypedResults.NoContent()
                    : Problems.Field("productId", $"No customer {id} or no product {product}.");
            })
            .RequireAuthorization(Permissions.CustomersWrite).WithName("RecordRecommendationFeedback");
        return api;
    }
}
