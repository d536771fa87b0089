using Microsoft.EntityFrameworkCore;
using SmartCrm.Operations;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

/// <summary>
/// Marks devices offline when they have been silent longer than their inactivity timeout (a connection can look open long
/// after the device lost power). Runs every 15 seconds, on one node at a time.
/// </summary>
public sealed class DeviceStatusJob(IServiceScopeFactory scopes, DatabaseConnections connections, TimeProvider clock, ILogger<DeviceStatusJob> logger)
    : ScheduledJob(connections, clock, logger)
{
    protected override string Name => "device-status";

    protected override TimeSpan Period => TimeSpan.FromSeconds(15);

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => MarkSilentDevicesOfflineAsync(cancellationToken);

    public async Task<int> MarkSilentDevicesOfflineAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var now = Clock.GetUtcNow().UtcDateTime;
        // One set-based statement: loading the online devices to send back the silent ones' ids broke SQLite's limit of
        // 32,766 parameters at fleet size, and a device heard from in between would have been marked offline all the same.
        var changed = await DeviceStatus.SilentAsync(db, now, cancellationToken);
        if (changed == 0) return 0;
        Logger.LogInformation("{Count} devices went offline after their inactivity timeout", changed);
        return changed;
    }
}
