using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace SmartCrm.Tickets;

/// <summary>
/// What a ticket of one priority and customer tier is promised: a first public reply within, and a resolution within. Stored
/// (table sla_policies, seeded with <see cref="Sla.Defaults"/>) so a company sets its own; a change applies to tickets opened
/// after it, since promises already made to customers do not move.
/// </summary>
public sealed class SlaPolicy
{
    public long Id { get; set; }
    public Priority Priority { get; set; }
    public CustomerTier Tier { get; set; }
    public int FirstResponseMinutes { get; set; }
    public int ResolutionMinutes { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }

    [NotMapped] public TimeSpan FirstResponse => TimeSpan.FromMinutes(FirstResponseMinutes);

    [NotMapped] public TimeSpan Resolution => TimeSpan.FromMinutes(ResolutionMinutes);

    public static SlaPolicy Of(Priority priority, CustomerTier tier, TimeSpan firstResponse, TimeSpan resolution) => new()
    {
        Priority = priority, Tier = tier, FirstResponseMinutes = (int)firstResponse.TotalMinutes, ResolutionMinutes = (int)resolution.TotalMinutes,
    };
}
