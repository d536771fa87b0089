using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using SmartCrm.Storage;

namespace SmartCrm.Security;

/// <summary>What an API key may do, as authentication needs it on every request.</summary>
public sealed record ApiKeyGrant(long Id, string Name, Role Role, DateTime? ExpiresAt);

/// <summary>Who a console session belongs to, with the user's current role.</summary>
public sealed record SessionGrant(long SessionId, long UserId, string UserName, string? DisplayName, Role Role);

/// <summary>
/// Answers "is this key or session still good, and with which role" without a query on every request. An answer is kept
/// for <see cref="Lifetime"/>, so a change made on another node (or straight in the database) reaches this node within it,
/// and every change made through this node forgets all answers at once, so here it counts from the next request.
/// </summary>
public sealed class AccessCache(IMemoryCache cache, IServiceScopeFactory scopes, TimeProvider clock, ILogger<AccessCache> logger) : IDisposable
{
    /// <summary>
    /// How stale an answer may be. A change made by `smartcrm apikey revoke` or `user deactivate` on the server's own
    /// machine reaches it only through the database, and must take effect within a second there as well; one indexed
    /// lookup per active key or session a second costs nothing next to the requests themselves.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    /// <summary>A key's last use is written at most this often per node: a busy integration must not write on every request.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    /// <summary>Sessions end this long after sign-in even when used all along (the cookie itself slides).</summary>
    public static readonly TimeSpan SessionMaxAge = TimeSpan.FromDays(7);

    private readonly ConcurrentDictionary<long, long> _lastUseWritten = new();
    private CancellationTokenSource _generation = new();

    public Task<ApiKeyGrant?> ApiKeyAsync(string hash, CancellationToken cancellationToken) =>
        GetAsync("access:apikey:" + hash, db => db.ApiKeys.Where(k => k.Hash == hash && k.RevokedAt == null)
            .Select(k => new ApiKeyGrant(k.Id, k.Name, k.Role, k.ExpiresAt)).FirstOrDefaultAsync(cancellationToken));

    public Task<SessionGrant?> SessionAsync(string keyHash, CancellationToken cancellationToken)
    {
        var oldest = clock.GetUtcNow().UtcDateTime - SessionMaxAge;
        return GetAsync("access:session:" + keyHash, db =>
            (from session in db.UserSessions
             join user in db.Users on session.UserId equals user.Id
             where session.KeyHash == keyHash && session.EndedAt == null && session.CreatedAt > oldest && user.Active
             select new SessionGrant(session.Id, user.Id, user.UserName, user.DisplayName, user.Role)).FirstOrDefaultAsync(cancellationToken));
    }

    /// <summary>Forgets every answer; called after any change to keys, users or sessions made through this node.</summary>
    public void Forget()
    {
        // Not disposed: entries still being added hold its token, and a source without timers has nothing to release.
        Interlocked.Exchange(ref _generation, new CancellationTokenSource()).Cancel();
    }

    public void Dispose() => _generation.Dispose();

    /// <summary>Records that a key was used, writing at most once a <see cref="LastUseResolution"/> per key on this node.</summary>
    public async Task KeyUsedAsync(long id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var written = _lastUseWritten.GetOrAdd(id, 0);
        if (now.Ticks - written < LastUseResolution.Ticks || !_lastUseWritten.TryUpdate(id, now.Ticks, written)) return;
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
            await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }
        catch (DbException e)
        {
            // Bookkeeping only: the request goes on; the next use after a minute tries again.
            logger.LogWarning(e, "Could not record the last use of API key #{Id}", id);
        }
    }

    private async Task<T?> GetAsync<T>(string key, Func<CrmDb, Task<T?>> load) where T : class
    {
        if (cache.TryGetValue(key, out T? known)) return known;
        // Taken before the query: a change committed while it runs cancels this generation, so the answer is dropped at once.
        var generation = _generation.Token;
        T? found;
        using (var scope = scopes.CreateScope())
        {
            found = await load(scope.ServiceProvider.GetRequiredService<CrmDb>());
        }
        using var entry = cache.CreateEntry(key);
        entry.Value = found;
        entry.AbsoluteExpirationRelativeToNow = Lifetime;
        entry.AddExpirationToken(new CancellationChangeToken(generation));
        return found;
    }
}
