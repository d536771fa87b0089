using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SmartCrm.Storage;

public static class StorageSetup
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<Actor>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseConnections>();
        // Contexts come from a pool: setting one up (options, services, model lookup) cost as much as a small query, on every
        // request. The per-request state (who is acting, the clock, the audit switch) is set on each one taken from the pool.
        builder.Services.AddPooledDbContextFactory<CrmDb>((services, db) => Configure(db, services.GetRequiredService<IOptions<StorageOptions>>().Value));
        builder.Services.AddScoped(services =>
        {
            var db = services.GetRequiredService<IDbContextFactory<CrmDb>>().CreateDbContext();
            db.Actor = services.GetRequiredService<Actor>();
            db.Clock = services.GetRequiredService<TimeProvider>();
            db.AuditEnabled = true;
            return db;
        });
        return builder;
    }

    public static void Configure(DbContextOptionsBuilder db, StorageOptions options)
    {
        if (options.IsPostgres)
        {
            // No retrying execution strategy: every save is one user-started transaction (the audit log is written with it),
            // which such a strategy refuses; a transient failure answers an error instead of replaying half a request.
            db.UseNpgsql(options.PostgresConnectionString);
        }
        else
        {
            db.UseSqlite(options.SqliteConnectionString);
            db.AddInterceptors(SqlitePragmas.Instance);
        }
        db.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }
}
