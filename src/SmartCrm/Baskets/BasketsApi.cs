using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Models;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Baskets;

/// <summary>Basket rules: mined by the "baskets" model (train it through /models), read here.</summary>
public static class BasketsApi
{
    public static IServiceCollection AddBaskets(this IServiceCollection services)
    {
        services.AddOptions<BasketsOptions>().BindConfiguration(BasketsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ModelTraining, BasketTraining>();
        services.AddScoped<BoughtTogether>();
        return services;
    }

    public static IEndpointRouteBuilder MapBasketsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/basket-rules", async Task<Results<Ok<Paged<RuleView>>, ProblemHttpResult>> (
                double? minSupport, double? minConfidence, double? minLift, long? product, string? sort, int? page, int? pageSize,
                BoughtTogether rules, CancellationToken cancellationToken) =>
            {
                if ((Share("minSupport", minSupport) ?? Share("minConfidence", minConfidence)) is { } problem) return problem;
                if (minLift is < 0 or > 1e6 || minLift is { } l && !double.IsFinite(l)) return Problems.Field("minLift", "minLift must be a number from 0 to 1,000,000.");
                if (pageSize is < 1 or > BoughtTogether.MaxPageSize) return Problems.Field("pageSize", $"pageSize must be from 1 to {BoughtTogether.MaxPageSize}.");
                if (page is < 1 or > 1_000_000) return Problems.Field("page", "page must be from 1 to 1,000,000.");
                var filter = new RuleFilter(minSupport ?? 0, minConfidence ?? 0, minLift ?? 0, product, sort);
                return TypedResults.Ok(await rules.ListAsync(filter, page ?? 1, pageSize ?? Paging.PageSize, cancellationToken));
            })
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Baskets").WithName("ListBasketRules");
        api.MapGet("/products/{id:long}/bought-together", async Task<Results<Ok<IReadOnlyList<RuleView>>, ProblemHttpResult>> (
                long id, CrmDb db, BoughtTogether rules, CancellationToken cancellationToken) =>
                await db.Products.AnyAsync(p => p.Id == id, cancellationToken)
                    ? TypedResults.Ok(await rules.WithProductAsync(id, 10, cancellationToken))
                    : Problems.NotFound("Product", id))
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Baskets").WithName("ProductBoughtTogether");
        api.MapGet("/customers/{id:long}/bought-together", async Task<Results<Ok<IReadOnlyList<RuleView>>, ProblemHttpResult>> (
                long id, CrmDb db, BoughtTogether rules, CancellationToken cancellationToken) =>
                await db.Customers.AnyAsync(c => c.Id == id, cancellationToken)
                    ? TypedResults.Ok(await rules.ForCustomerAsync(id, 10, cancellationToken))
                    : Problems.NotFound("Customer", id))
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Baskets").WithName("CustomerBoughtTogether");
        return api;
    }

    private static ProblemHttpResult? Share(string field, double? value) =>
        value is { } v && !(v >= 0 && v <= 1) ? Problems.Field(field, $"{field} must be a share from 0 to 1.") : null;
}
