using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Campaigns;

/// <summary>One version of a campaign's message (A/B); eligible customers outside the hold-out are split evenly between them.</summary>
public sealed class CampaignVariant
{
    public long Id { get; set; }
    public long CampaignId { get; set; }
    [MaxLength(40)] public required string Name { get; set; }
    [MaxLength(4000)] public required string Message { get; set; }
}
