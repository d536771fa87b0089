using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace SmartCrm.Security;

/// <summary>
/// The console's cookie names a server-side session (<see cref="UserSession"/>), checked on every request: an ended session,
/// a deactivated or deleted user is refused, and the user's current role replaces the one the cookie was issued with.
/// </summary>
public static class ConsoleSessions
{
    /// <summary>The claim that carries the session's random key (the cookie is encrypted and signed).</summary>
    public const string KeyClaim = "session";

    public const string DisplayClaim = "display";

    public static ClaimsPrincipal Principal(SessionGrant grant, string key) => new(new ClaimsIdentity(
    [
        // The user id, not the name, identifies the person: antiforgery tokens are bound to it, so a role change keeps forms valid.
        new Claim(ClaimTypes.NameIdentifier, grant.UserId.ToString(CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, grant.UserName),
        new Claim(ClaimTypes.Role, grant.Role.ToString()),
        new Claim(DisplayClaim, grant.DisplayName ?? grant.UserName),
        new Claim(KeyClaim, key),
    ], CookieAuthenticationDefaults.AuthenticationScheme));

    /// <summary>The user id of a console session, or null for API keys and anonymous requests.</summary>
    public static long? UserId(ClaimsPrincipal principal) =>
        principal.FindFirstValue(KeyClaim) is not null && long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary><see cref="CookieAuthenticationEvents.OnValidatePrincipal"/>: runs for every request that brings the cookie.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var key = context.Principal?.FindFirstValue(KeyClaim);
        var access = context.HttpContext.RequestServices.GetRequiredService<AccessCache>();
        // Cookies from before sessions existed carry no key: they are refused like ended ones, and people sign in again.
        var grant = key is null ? null : await access.SessionAsync(Accounts.Sha256(key), context.HttpContext.RequestAborted);
        if (grant is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        var principal = context.Principal!;
        if (principal.FindFirstValue(ClaimTypes.Role) != grant.Role.ToString() || principal.FindFirstValue(ClaimTypes.Name) != grant.UserName
            || principal.FindFirstValue(DisplayClaim) != (grant.DisplayName ?? grant.UserName))
        {
            context.ReplacePrincipal(Principal(grant, key!));
            context.ShouldRenew = true;
        }
    }
}
