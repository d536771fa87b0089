using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

/// <summary>
/// The one writer of a device's online status (devices.Online, LastSeenAt, LastConnectedAt): a device is online from its
/// MQTT connection or its latest message, and offline when its last connection closes or it stays silent past its
/// inactivity timeout (<see cref="DeviceStatusJob"/>).
/// </summary>
public static class DeviceStatus
{
    /// <summary>
    /// The devices sent readings at <paramref name="at"/>: online, last seen then. Plain SQL on the caller's connection, inside
    /// its open transaction, so that readings and status commit together (the telemetry store's batches).
    /// </summary>
    public static async Task SeenAsync(DbConnection connection, IReadOnlyCollection<long> devices, DateTime at, CancellationToken cancellationToken)
    {
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE devices SET \"LastSeenAt\" = @at, \"Online\" = TRUE WHERE \"Id\" = @id";
        var seenAt = update.CreateParameter();
        seenAt.ParameterName = "@at";
        seenAt.Value = at;
        var id = update.CreateParameter();
        id.ParameterName = "@id";
        update.Parameters.Add(seenAt);
        update.Parameters.Add(id);
        foreach (var device in devices)
        {
            id.Value = device;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The device opened an MQTT connection at <paramref name="at"/>.</summary>
    public static Task ConnectedAsync(CrmDb db, long deviceId, DateTime at, CancellationToken cancellationToken) =>
        db.Devices.Where(d => d.Id == deviceId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, true).SetProperty(d => d.LastConnectedAt, at).SetProperty(d => d.LastSeenAt, at), cancellationToken);

    /// <summary>One of the device's MQTT connections closed; it stays online while <paramref name="othersOpen"/>.</summary>
    public static Task DisconnectedAsync(CrmDb db, long deviceId, bool othersOpen, CancellationToken cancellationToken) =>
        db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, othersOpen), cancellationToken);

    /// <summary>The devices went silent: offline. Returns how many were online until now.</summary>
    public static Task<int> SilentAsync(CrmDb db, IReadOnlyCollection<long> devices, CancellationToken cancellationToken) =>
        db.Devices.Where(d => devices.Contains(d.Id) && d.Online).ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, false), cancellationToken);
}
