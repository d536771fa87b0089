using System.ComponentModel.DataAnnotations;
using SmartCrm.Storage;

namespace SmartCrm.Security;

public enum Role { Admin, Manager, Sales, Support, Analyst, ReadOnly }

public sealed class User
{
    public long Id { get; set; }
    [MaxLength(100)] public required string UserName { get; set; }
    [MaxLength(200)] public string? DisplayName { get; set; }
    [MaxLength(500), Secret] public required string PasswordHash { get; set; }
    public Role Role { get; set; }
    public bool Active { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}

public sealed class ApiKey
{
    public long Id { get; set; }
    [MaxLength(100)] public required string Name { get; set; }
    public Role Role { get; set; }
    /// <summary>The first characters of the key, shown in lists so a key can be recognised without storing it.</summary>
    [MaxLength(16)] public required string Prefix { get; set; }
    /// <summary>SHA-256 of the whole key: keys are 256 random bits, so a fast hash is enough (no dictionary to attack).</summary>
    [MaxLength(64), Secret] public required string Hash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    /// <summary>After this the key no longer works; null never expires.</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>When the key last authenticated a request, to the minute: written at most once a minute per node.</summary>
    public DateTime? LastUsedAt { get; set; }
}

public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    [MaxLength(100)] public required string Actor { get; set; }
    [MaxLength(20)] public required string Action { get; set; }
    [MaxLength(60)] public required string Entity { get; set; }
    public long EntityId { get; set; }
    public string? Changes { get; set; }
}
