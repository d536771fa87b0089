using System.ComponentModel.DataAnnotations;
using SmartCrm.Storage;

namespace SmartCrm.Security;

/// <summary>
/// One sign-in to the console. The cookie names it by a random key; the server checks it on every request, so signing out,
/// a password change or deactivation ends it even in a copy of the cookie.
/// </summary>
public sealed class UserSession
{
    public long Id { get; set; }
    public long UserId { get; set; }
    /// <summary>SHA-256 of the key in the cookie.</summary>
    [MaxLength(64), Secret] public required string KeyHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? EndedAt { get; set; }
}
