using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

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

    /// <summary>The attribute set with <paramref name="patch"/> applied; refused when the set would pass <see cref="DevicePayload.MaxAttributes"/>.</summary>
    public static string Merge(string current, JsonElement patch)
    {
        var merged = JsonNode.Parse(current) as JsonObject ?? [];
        foreach (var attribute in patch.EnumerateObject())
        {
            if (attribute.Value.ValueKind == JsonValueKind.Null) merged.Remove(attribute.Name);
            else merged[attribute.Name] = JsonNode.Parse(attribute.Value.GetRawText());
        }
        if (merged.Count > DevicePayload.MaxAttributes)
        {
            throw new DevicePayloadException("$", $"a device keeps at most {DevicePayload.MaxAttributes} attributes in a set; this message would make {merged.Count}");
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
