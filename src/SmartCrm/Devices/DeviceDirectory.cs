using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

/// <summary>Who a device is, as the ingestion path needs it on every message.</summary>
public sealed record DeviceIdentity(long Id, string Name, string? Model, long? CustomerId);

/// <summary>
/// Finds devices by access token for every message without a query each time: answers are cached for 5 seconds
/// (a rotated or deleted token stops working at once on this node, within 5 seconds on the others, as revoked API keys do).
/// </summary>
public sealed class DeviceDirectory(IServiceScopeFactory scopes, IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public async Task<DeviceIdentity?> FindByTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200) return null;
        var hash = DeviceToken.Hash(token);
        if (cache.TryGetValue(CacheKey(hash), out DeviceIdentity? known)) return known;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var found = await db.Devices.Where(d => d.TokenHash == hash)
            .Select(d => new DeviceIdentity(d.Id, d.Name, d.Model, d.CustomerId)).FirstOrDefaultAsync(cancellationToken);
        cache.Set(CacheKey(hash), found, Lifetime);
        return found;
    }

    /// <summary>Forgets a token at once (rotation, deletion, a change of owner or model).</summary>
    public void Forget(string tokenHash) => cache.Remove(CacheKey(tokenHash));

    private static string CacheKey(string hash) => "device-token:" + hash;
}
