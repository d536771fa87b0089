using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SmartCrm.Security;

/// <summary>
/// `Authorization: Bearer KEY` for programs. Keys are looked up by their SHA-256 through <see cref="AccessCache"/>: a revoked
/// key is refused from the next request on this node and within seconds on the others; an expired one from the moment it expires.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessCache access, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyPrefix = "scrm_";
    public const string KeyIdClaim = "apikey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var key = header["Bearer ".Length..].Trim();
        if (key.Length == 0) return AuthenticateResult.Fail("Empty API key");
        var found = await access.ApiKeyAsync(Hash(key), Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("Unknown or revoked API key");
        if (found.ExpiresAt is { } expires && expires <= clock.GetUtcNow().UtcDateTime) return AuthenticateResult.Fail("Expired API key");
        await access.KeyUsedAsync(found.Id, Context.RequestAborted);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, "apikey:" + found.Name), new Claim(ClaimTypes.Role, found.Role.ToString()),
            new Claim(KeyIdClaim, found.Id.ToString(CultureInfo.InvariantCulture)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
