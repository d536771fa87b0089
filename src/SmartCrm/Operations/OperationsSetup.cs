using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SmartCrm.Storage;

namespace SmartCrm.Operations;

public static class OperationsSetup
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealth>("database");
        return services;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
            }),
        }).AllowAnonymous();
        return app;
    }
}

public sealed class DatabaseHealth(CrmDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // A query on a pooled connection: EF's CanConnect opens a connection of its own each time, which made the
            // health check slower than a customer's whole 360 view.
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            return HealthCheckResult.Healthy(db.IsSqlite ? "SQLite" : "PostgreSQL");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Database unreachable: " + e.Message);
        }
    }
}
