using Microsoft.Extensions.Options;
using SmartCrm.Demo;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Hosting;

/// <summary>Runs before the server takes requests: schema migrations, the first admin, and the demo data when asked.</summary>
public sealed class DatabaseInitializer(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<StorageOptions> storage, IOptions<DemoOptions> demo, IConfiguration configuration,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken);
        if (!demo.Value.Enabled) return;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var seeded = await DemoCompany.SeedAsync(db, demo.Value.Scale, now, cancellationToken);
        if (seeded) await DemoCompany.SeedUsageAsync(db, scope.ServiceProvider.GetRequiredService<SmartCrm.Telemetry.TelemetryStore>(), now, cancellationToken);
        if (seeded) logger.LogInformation("Demo data created (scale {Scale})", demo.Value.Scale);
        else logger.LogInformation("Demo data skipped: the database already has customers");
    }

    /// <summary>
    /// Migrations and the first admin: what every command that opens the database does first, so that `smartcrm user create`
    /// on a new data folder cannot leave it without an admin.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Migrator.Migrate(storage.Value, logger);
        using var scope = scopes.CreateScope();
        var password = await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureAdminAsync(configuration["SMARTCRM_ADMIN_PASSWORD"], cancellationToken);
        if (!string.IsNullOrEmpty(password))
        {
            // Printed once, on the console only: it is not stored anywhere in clear.
            Console.WriteLine($"Created user 'admin' with password: {password}");
        }
        else if (password is not null)
        {
            logger.LogInformation("Created user {User} with the password from SMARTCRM_ADMIN_PASSWORD", "admin");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
