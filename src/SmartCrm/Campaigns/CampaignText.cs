using Microsoft.Extensions.Localization;
using SmartCrm.Web;

namespace SmartCrm.Campaigns;

/// <summary>A campaign's audience in the reader's language: "Segment 2 · high risk · tag vip · owns WH-80".</summary>
public static class CampaignText
{
    public static string Audience(Campaign campaign, IStringLocalizer<Strings> l)
    {
        var parts = new List<string> { campaign.Segment is { } segment ? $"{l["Segment"]} {segment}" : l["All customers"] };
        if (campaign.ChurnBand is { } band) parts.Add(l[band switch { ChurnBand.High => "High risk", ChurnBand.Medium => "Medium risk", _ => "Low risk" }]);
        if (campaign.Tag is { } tag) parts.Add($"{l["Tag"]} {tag}");
        if (campaign.DeviceModel is { } model) parts.Add(string.Format(l["owns {0}"], model));
        return string.Join(" · ", parts);
    }
}
