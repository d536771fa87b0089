using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace SmartCrm.Devices;

/// <summary>
/// Provision secrets are hashed like passwords (ASP.NET Core's PBKDF2 with a salt), not with a bare SHA-256: a profile's
/// secret may be a word a person chose, and firmware images leak. Profiles written by older versions hold an unsalted
/// SHA-256 (64 hex digits); it still verifies, and is replaced on its next successful use.
/// </summary>
public static class ProvisionSecret
{
    private static readonly PasswordHasher<ProvisioningProfile> Hasher = new();
    private static readonly ProvisioningProfile Nobody = new() { Name = "", Key = "" };

    /// <summary>Verified when the key names no profile, so an unknown key costs as long as a wrong secret and reveals nothing.</summary>
    private static readonly Lazy<string> Decoy = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    public static string Hash(string secret) => Hasher.HashPassword(Nobody, secret);

    /// <summary>Whether <paramref name="secret"/> matches <paramref name="hash"/>, and whether the hash should be replaced by a current one.</summary>
    public static (bool Matches, bool Outdated) Verify(string hash, string secret)
    {
        if (IsSha256(hash))
        {
            var matches = CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hash), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
            return (matches, matches);
        }
        var result = Hasher.VerifyHashedPassword(Nobody, hash, secret);
        return (result != PasswordVerificationResult.Failed, result == PasswordVerificationResult.SuccessRehashNeeded);
    }

    /// <summary>Spends the time a real verification would, for a key that names no profile.</summary>
    public static void VerifyNothing(string secret) => Verify(Decoy.Value, secret);

    private static bool IsSha256(string hash) => hash.Length == 64 && hash.All(char.IsAsciiHexDigit);
}
