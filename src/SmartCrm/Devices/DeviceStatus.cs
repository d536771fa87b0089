using Microsoft.EntityFrameworkCore;
using Npgsql;
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
    /// SQLite's statement for "the device sent readings at $at": online, last seen then. The telemetry store prepares it once on
    /// its batch connection and runs it inside the batch's transaction, so that readings and status commit together.
    /// </summary>
    public const string SeenSql = "UPDATE devices SET \"LastSeenAt\" = $at, \"Online\" = 1 WHERE \"Id\" = $id";

    /// <summary>
    /// The devices sent readings at <paramref name="at"/> (PostgreSQL, on the caller's connection and transaction). One statement
    /// whatever the batch holds; ids in ascending order, so concurrent nodes lock device rows in the same order.
    /// </summary>
    public static async Task SeenAsync(NpgsqlConnection connection, long[] devices, DateTime at, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand("UPDATE devices SET \"LastSeenAt\" = @at, \"Online\" = TRUE WHERE \"Id\" = ANY(@ids)", connection);
        update.Parameters.AddWithValue("at", at);
        update.Parameters.AddWithValue("ids", devices);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The device opened an MQTT connection at <paramref name="at"/>.</summary>
    public static Task ConnectedAsync(CrmDb db, long deviceId, DateTime at, CancellationToken cancellationToken) =>
        db.Devices.Where(d => d.Id == deviceId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, true).SetProperty(d => d.LastConnectedAt, at).SetProperty(d => d.LastSeenAt, at), cancellationToken);

    /// <summary>One of the device's MQTT connections closed; it stays online while <paramref name="othersOpen"/>.</summary>
    public static Task DisconnectedAsync(CrmDb db, long deviceId, bool othersOpen, CancellationToken cancellationToken) =>
        db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, othersOpen), cancellationToken);

    /// <summary>Devices silent past their inactivity timeout at <paramref name="now"/> go offline. Returns how many did.</summary>
    public static Task<int> SilentAsync(CrmDb db, DateTime now, CancellationToken cancellationToken) =>
        db.Devices
            .Where(d => d.Online && (d.LastSeenAt == null || d.LastSeenAt.Value.AddSeconds(d.InactivityTimeoutSeconds) < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Online, false), cancellationToken);
}
