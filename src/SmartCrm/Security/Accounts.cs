using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Security;

/// <summary>Why a change to a user was refused, naming the field; <see cref="Conflict"/> when the input is fine but the state forbids it.</summary>
public sealed record UserChangeRefused(string Field, string Message, bool Conflict);

/// <summary>Users, API keys and console sessions: created, changed and taken away, for first start, the CLI and the API alike.</summary>
public sealed class Accounts(CrmDb db, IPasswordHasher<User> hasher, AccessCache access, TimeProvider clock)
{
    public async Task<User> CreateUserAsync(string userName, string password, Role role, string? displayName, CancellationToken cancellationToken)
    {
        var user = new User { UserName = userName, PasswordHash = "", Role = role, DisplayName = displayName, CreatedAt = clock.GetUtcNow().UtcDateTime };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>Creates a key and returns it in clear: the only time it is ever shown.</summary>
    public async Task<(ApiKey Record, string Key)> CreateApiKeyAsync(string name, Role role, CancellationToken cancellationToken, DateTime? expiresAt = null)
    {
        var key = ApiKeyAuthentication.NewKey();
        var record = new ApiKey
        {
            Name = name, Role = role, Prefix = key[..12], Hash = ApiKeyAuthentication.Hash(key), CreatedAt = clock.GetUtcNow().UtcDateTime, ExpiresAt = expiresAt,
        };
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return (record, key);
    }

    public Task<List<ApiKey>> ApiKeysAsync(CancellationToken cancellationToken) => db.ApiKeys.OrderBy(k => k.Id).ToListAsync(cancellationToken);

    /// <summary>Revokes a key (the row stays, for the audit trail); false when there is no such key. Revoking twice is no error.</summary>
    public async Task<bool> RevokeApiKeyAsync(long id, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.AsTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null) return false;
        key.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        access.Forget();
        return true;
    }

    /// <summary>
    /// Applies a change to a user. Deactivation ends all of the user's sessions (reactivation does not revive them); a new
    /// password ends all but the session of <paramref name="actor"/> when that is the user changing their own; a new role
    /// applies to the open sessions from their next request. Nobody deactivates or demotes themselves, and the last active
    /// admin stays one. Returns the user, or a refusal, or neither when there is no such user.
    /// </summary>
    public async Task<(User? User, UserChangeRefused? Refused)> ChangeUserAsync(long id, UserChange change, ClaimsPrincipal? actor, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return (null, null);
        var deactivates = change.Active == false && user.Active;
        var demotes = change.Role is { } role && role != Role.Admin && user.Role == Role.Admin;
        var self = actor is not null && ConsoleSessions.UserId(actor) == id;
        if (self && deactivates) return (null, new("active", "You cannot deactivate your own account; ask another administrator.", Conflict: false));
        if (self && change.Role is { } own && own != user.Role) return (null, new("role", "You cannot change your own role; ask another administrator.", Conflict: false));
        if ((deactivates || demotes) && user.Active && user.Role == Role.Admin
            && !await db.Users.AnyAsync(u => u.Id != id && u.Active && u.Role == Role.Admin, cancellationToken))
        {
            return (null, new(deactivates ? "active" : "role", "This is the last active administrator: make another user an active Admin first.", Conflict: true));
        }

        var endsSessions = deactivates || change.Password is not null;
        if (change.Active is { } active) user.Active = active;
        if (change.Role is { } newRole) user.Role = newRole;
        if (change.DisplayName is not null) user.DisplayName = change.DisplayName.Trim() is { Length: > 0 } display ? display : null;
        if (change.Password is not null) user.PasswordHash = hasher.HashPassword(user, change.Password);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (endsSessions)
        {
            var sessions = db.UserSessions.Where(s => s.UserId == id && s.EndedAt == null);
            if (self && actor!.FindFirstValue(ConsoleSessions.KeyClaim) is { } key)
            {
                var current = Sha256(key);
                sessions = sessions.Where(s => s.KeyHash != current);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            await sessions.ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        access.Forget();
        return (user, null);
    }

    public Task<User?> FindUserAsync(string userName, CancellationToken cancellationToken) =>
        db.Users.FirstOrDefaultAsync(u => u.UserName == userName, cancellationToken);

    /// <summary>Opens a console session for a user who has just proved who they are; returns the principal for the cookie.</summary>
    public async Task<ClaimsPrincipal> StartSessionAsync(User user, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        // The user's own finished sessions are cleared here rather than by a job: the table holds only live ones and a few days' worth.
        var oldest = now - AccessCache.SessionMaxAge;
        await db.UserSessions.Where(s => s.UserId == user.Id && (s.EndedAt != null || s.CreatedAt < oldest)).ExecuteDeleteAsync(cancellationToken);
        var session = new UserSession { UserId = user.Id, KeyHash = Sha256(key), CreatedAt = now };
        db.UserSessions.Add(session);
        // The audit log records the sign-in under the user's own name.
        db.Actor.Name = user.UserName;
        await db.SaveChangesAsync(cancellationToken);
        return ConsoleSessions.Principal(new SessionGrant(session.Id, user.Id, user.UserName, user.DisplayName, user.Role), key);
    }

    /// <summary>Ends one session (sign-out): its cookie, and every copy of it, is refused from the next request.</summary>
    public async Task EndSessionAsync(string key, CancellationToken cancellationToken)
    {
        var hash = Sha256(key);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.UserSessions.Where(s => s.KeyHash == hash && s.EndedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken);
        access.Forget();
    }

    /// <summary>First start: an `admin` with the password from SMARTCRM_ADMIN_PASSWORD, or a generated one printed once.</summary>
    public async Task<string?> EnsureAdminAsync(string? password, CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(cancellationToken)) return null;
        var generated = string.IsNullOrEmpty(password);
        var actual = generated ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('/', 'x').Replace('+', 'y') : password!;
        await CreateUserAsync("admin", actual, Role.Admin, "Administrator", cancellationToken);
        return generated ? actual : "";
    }

    /// <summary>Session keys are 256 random bits: a fast hash is enough, and only the hash is stored.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
