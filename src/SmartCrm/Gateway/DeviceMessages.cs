using Microsoft.EntityFrameworkCore;
using SmartCrm.Devices;
using SmartCrm.Interactions;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Gateway;

/// <summary>
/// What a device sends, handled the same whether it came over MQTT or HTTP: telemetry to the store (durable before this
/// returns), client attributes into the device twin, and card reads from store readers onto the customer's timeline.
/// </summary>
public sealed class DeviceMessages(TelemetryWriter writer, TelemetryClock serverTime, IServiceScopeFactory scopes, TimeProvider clock, ILogger<DeviceMessages> logger)
{
    /// <summary>Telemetry keys a store reader reports a card or tag with.</summary>
    public static readonly string[] CardKeys = ["card", "tag", "uid"];

    /// <summary>Stores the readings of one message; throws <see cref="DevicePayloadException"/> naming the place when it cannot be read.</summary>
    public async Task<int> TelemetryAsync(DeviceIdentity device, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var points = TelemetryPayload.Parse(payload, device.Id, serverTime);
        await writer.WriteAsync(points, cancellationToken);
        foreach (var point in points)
        {
            if (point.Kind == ValueKind.Text && CardKeys.Contains(point.Key)) await CardSeenAsync(device, point, cancellationToken);
        }
        return points.Count;
    }

    /// <summary>Merges reported attributes into the device twin: a value replaces the old one, null removes the attribute.</summary>
    public async Task ClientAttributesAsync(DeviceIdentity device, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var patch = DevicePayload.ParseAttributes(payload);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        await DeviceAttributes.MergeAsync(db, device.Id, DeviceAttributes.Scope.Client, patch, clock, cancellationToken);
    }

    private async Task CardSeenAsync(DeviceIdentity reader, TelemetryPoint point, CancellationToken cancellationToken)
    {
        var uid = Card.NormaliseUid(point.Text!);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var card = await db.Cards.Where(c => c.Uid == uid).Select(c => new { c.CustomerId, c.Label }).FirstOrDefaultAsync(cancellationToken);
        if (card is null)
        {
            logger.LogInformation("Reader {Device} saw card {Card}, which is linked to no customer", reader.Name, uid);
            return;
        }
        db.Interactions.Add(new Interaction
        {
            CustomerId = card.CustomerId,
            Channel = Channel.Store,
            Direction = Direction.Inbound,
            Subject = $"Store visit: card read at {reader.Name}",
            Body = card.Label is null ? $"Card {uid}" : $"Card {uid} ({card.Label})",
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(point.Ts).UtcDateTime,
            Agent = "device:" + reader.Name,
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
