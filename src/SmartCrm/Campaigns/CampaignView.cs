namespace SmartCrm.Campaigns;

/// <summary>
/// A campaign with its audience counts (a preview for a draft, the groups fixed at launch afterwards) and, once launched, the
/// results per variant against the hold-out.
/// </summary>
public sealed record CampaignView(Campaign Campaign, AudienceCounts Audience, IReadOnlyList<GroupResult> Results);
