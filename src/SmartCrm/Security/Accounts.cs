using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Security;

/// <summary>Creating users and API keys, shared by first start, the CLI and the API.</summary>
public sealed class Accounts(CrmDb db, IPasswordHasher<User> hasher, TimeProvider clock)
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
    public async Task<(ApiKey Record, string Key)> CreateApiKeyAsync(string name, Role role, CancellationToken cancellationToken)
    {
        var key = ApiKeyAuthentication.NewKey();
        var record = new ApiKey { Name = name, Role = role, Prefix = key[..12], Hash = ApiKeyAuthentication.Hash(key), CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return (record, key);
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
}
