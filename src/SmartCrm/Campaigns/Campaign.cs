using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Campaigns;

/// <summary>How a campaign reaches people; each channel needs its own marketing consent and contact point.</summary>
public enum CampaignChannel { Email, Sms, Phone }

public enum CampaignStatus { Draft, Launched, Completed }

/// <summary>The churn risk bands of the 360 (Insights' ChurnReader thresholds), as an audience filter.</summary>
public enum ChurnBand { Low, Medium, High }

/// <summary>
/// A marketing campaign: an audience (a segment narrowed by filters), one message per variant, and a random hold-out that is
/// never messaged, so that response and conversion can be compared with people who got nothing.
/// </summary>
public sealed class Campaign
{
    public long Id { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    public CampaignChannel Channel { get; set; }
    public CampaignStatus Status { get; set; }

    /// <summary>The segment number of the active segmentation; null: every customer.</summary>
    public int? Segment { get; set; }
    public ChurnBand? ChurnBand { get; set; }
    [MaxLength(50)] public string? Tag { get; set; }

    /// <summary>Only customers who own a device of this model.</summary>
    [MaxLength(100)] public string? DeviceModel { get; set; }

    /// <summary>The share of eligible customers kept out as the comparison group, 0–50.</summary>
    public int HoldOutPercent { get; set; }

    /// <summary>How many days after the launch a reply counts as a response and a paid order as a conversion.</summary>
    public int ConversionDays { get; set; }

    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime? LaunchedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public List<CampaignVariant> Variants { get; set; } = [];
}
