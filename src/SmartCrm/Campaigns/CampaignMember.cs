namespace SmartCrm.Campaigns;

/// <summary>Where a customer of the audience ended up at launch.</summary>
public enum CampaignGroup { Messaged, HoldOut, NoConsent, NoAddress }

/// <summary>A customer of a launched campaign and their group, fixed at launch; a messaged one has the send's interaction.</summary>
public sealed class CampaignMember
{
    public long Id { get; set; }
    public long CampaignId { get; set; }
    public long CustomerId { get; set; }
    public CampaignGroup Group { get; set; }
    public long? VariantId { get; set; }
    public long? InteractionId { get; set; }
}
