using Microsoft.AspNetCore.Http.HttpResults;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Overview;

/// <summary>What reads across the capabilities: the customer 360 (API and page) and the device pages.</summary>
public static class OverviewApi
{
    public static IServiceCollection AddOverview(this IServiceCollection services)
    {
        services.AddSingleton<ValueBreakpoints>();
        services.AddScoped<Customer360Reader>();
        services.AddScoped<ProductSales>();
        return services;
    }

    public static IEndpointRouteBuilder MapOverviewApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/customers/{id:long}/360", async Task<Results<Ok<Customer360>, ProblemHttpResult>> (long id, Customer360Reader reader, CancellationToken cancellationToken) =>
            await reader.ReadAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : Problems.NotFound("Customer", id))
            .RequireAuthorization(Permissions.CustomersRead).WithTags("Customer").WithName("GetCustomer360");
        return api;
    }
}
