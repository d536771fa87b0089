using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Devices;

/// <summary>
/// What a device sends, handled the same whether it came over MQTT or HTTP: telemetry to the store (durable before this
/// returns), client attributes into the device twin, and card reads from store readers onto the customer's timeline.
/// </summary>
public sealed class DeviceMessages(TelemetryWriter writer, TelemetryClock serverTime, IServiceScopeFactory scopes, TimeProvider clock, ILogger<DeviceMessages> logger)
{
    /// <summary>Telemetry keys a store reader reports a card or tag with.</summary>
    public static readonly string[] CardKeys = ["card", "tag", "uid"];

    /// <summary>Stores the readings of one message; throws <see cref="TelemetryFormatException"/> naming the place when it cannot be read.</summary>
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
        var patch = TelemetryPayload.ParseAttributes(payload);
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

/// <summary>The device twin's attribute sets, merged without losing a concurrent change.</summary>
public static class DeviceAttributes
{
    public enum Scope { Client, Shared, Server }

    /// <summary>What a device asking for its attributes gets: <c>{"client":{...},"shared":{...}}</c>, limited to the keys it named.</summary>
    public static async Task<Dictionary<string, Dictionary<string, JsonElement>>> RequestedAsync(CrmDb db, long deviceId, string? clientKeys, string? sharedKeys,
        CancellationToken cancellationToken)
    {
        var attributes = await db.Devices.Where(d => d.Id == deviceId).Select(d => new { d.ClientAttributes, d.SharedAttributes }).FirstAsync(cancellationToken);
        return new() { ["client"] = Pick(attributes.ClientAttributes, clientKeys), ["shared"] = Pick(attributes.SharedAttributes, sharedKeys) };
    }

    /// <summary>The attributes named in <paramref name="keys"/> (comma-separated; all when empty) from a JSON object.</summary>
    private static Dictionary<string, JsonElement> Pick(string json, string? keys)
    {
        var all = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? [];
        if (string.IsNullOrWhiteSpace(keys)) return all;
        var wanted = keys.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return all.Where(a => wanted.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value);
    }

    /// <summary>The attribute set with <paramref name="patch"/> applied; refused when the set would pass <see cref="TelemetryPayload.MaxAttributes"/>.</summary>
    public static string Merge(string current, JsonElement patch)
    {
        var merged = JsonNode.Parse(current) as JsonObject ?? [];
        foreach (var attribute in patch.EnumerateObject())
        {
            if (attribute.Value.ValueKind == JsonValueKind.Null) merged.Remove(attribute.Name);
            else merged[attribute.Name] = JsonNode.Parse(attribute.Value.GetRawText());
        }
        if (merged.Count > TelemetryPayload.MaxAttributes)
        {
            throw new TelemetryFormatException("$", $"a device keeps at most {TelemetryPayload.MaxAttributes} attributes in a set; this message would make {merged.Count}");
        }
        return merged.ToJsonString();
    }

    /// <summary>Read, merge, write only if nobody wrote in between (else again): two devices' messages never overwrite each other.</summary>
    public static async Task<string?> MergeAsync(CrmDb db, long deviceId, Scope scope, JsonElement patch, TimeProvider clock, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var device = db.Devices.Where(d => d.Id == deviceId);
            var current = scope switch
            {
                Scope.Client => await device.Select(d => d.ClientAttributes).FirstOrDefaultAsync(cancellationToken),
                Scope.Shared => await device.Select(d => d.SharedAttributes).FirstOrDefaultAsync(cancellationToken),
                _ => await device.Select(d => d.ServerAttributes).FirstOrDefaultAsync(cancellationToken),
            };
            if (current is null) return null;
            var merged = Merge(current, patch);
            var now = clock.GetUtcNow().UtcDateTime;
            var updated = scope switch
            {
                Scope.Client => await db.Devices.Where(d => d.Id == deviceId && d.ClientAttributes == current)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClientAttributes, merged).SetProperty(d => d.UpdatedAt, now), cancellationToken),
                Scope.Shared => await db.Devices.Where(d => d.Id == deviceId && d.SharedAttributes == current)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.SharedAttributes, merged).SetProperty(d => d.UpdatedAt, now), cancellationToken),
                _ => await db.Devices.Where(d => d.Id == deviceId && d.ServerAttributes == current)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.ServerAttributes, merged).SetProperty(d => d.UpdatedAt, now), cancellationToken),
            };
            if (updated == 1) return merged;
        }
        throw new DbUpdateConcurrencyException($"Attributes of device {deviceId} kept changing; try again.");
    }
}
