using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Orders;
using SmartCrm.Storage;
using SmartCrm.Web;

namespace SmartCrm.Campaigns;

/// <summary>
/// One group's outcome: a variant or the hold-out. Rates are shares of the group's members; uplift is the variant's rate minus
/// the hold-out's, in percentage points (null for the hold-out itself, or when there is no hold-out to compare with).
/// </summary>
public sealed record GroupResult(string Group, long? VariantId, int Members, int Responded, int Converted, double ResponseRate, double ConversionRate,
    double? ResponseUplift, double? ConversionUplift);

/// <summary>
/// Response (an inbound interaction after the send) and conversion (a paid order) within the campaign's window, per variant
/// against the hold-out. Read from the members fixed at launch, so a customer who changes segment later still counts.
/// </summary>
public static class CampaignResults
{
    public const string HoldOut = "hold-out";

    public static async Task<List<GroupResult>> ReadAsync(CrmDb db, Campaign campaign, CancellationToken cancellationToken)
    {
        if (campaign.LaunchedAt is not { } from) return [];
        var until = from.AddDays(campaign.ConversionDays);
        var rows = await db.CampaignMembers
            .Where(m => m.CampaignId == campaign.Id && (m.Group == CampaignGroup.Messaged || m.Group == CampaignGroup.HoldOut))
            .Select(m => new
            {
                m.Group,
                m.VariantId,
                Responded = db.Interactions.Any(i => i.CustomerId == m.CustomerId && i.Direction == Direction.Inbound && i.OccurredAt > from && i.OccurredAt <= until),
                Converted = db.Orders.Any(o => o.CustomerId == m.CustomerId && o.OrderedAt >= from && o.OrderedAt <= until
                    && (o.Status == OrderStatus.Paid || o.Status == OrderStatus.Shipped || o.Status == OrderStatus.Delivered)),
            })
            .ToListAsync(cancellationToken);
        var held = rows.Where(r => r.Group == CampaignGroup.HoldOut).ToList();
        double Rate(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
        var holdResponse = Rate(held.Count(r => r.Responded), held.Count);
        var holdConversion = Rate(held.Count(r => r.Converted), held.Count);
        var results = new List<GroupResult>();
        foreach (var variant in campaign.Variants.OrderBy(v => v.Id))
        {
            var members = rows.Where(r => r.Group == CampaignGroup.Messaged && r.VariantId == variant.Id).ToList();
            var responded = members.Count(r => r.Responded);
            var converted = members.Count(r => r.Converted);
            var response = Rate(responded, members.Count);
            var conversion = Rate(converted, members.Count);
            results.Add(new GroupResult(variant.Name, variant.Id, members.Count, responded, converted, response, conversion,
                held.Count == 0 ? null : response - holdResponse, held.Count == 0 ? null : conversion - holdConversion));
        }
        results.Add(new GroupResult(HoldOut, null, held.Count, held.Count(r => r.Responded), held.Count(r => r.Converted), holdResponse, holdConversion, null, null));
        return results;
    }

    /// <summary>The chart's and the CSV's numbers: response and conversion rates in percent per group.</summary>
    public static Figure Figure(long campaignId, IReadOnlyList<GroupResult> results) =>
        new($"campaign-{campaignId}", "group", ["response", "conversion"],
            [.. results.Select(r => new Figure.Row(r.Group, [Math.Round(r.ResponseRate * 100, 2), Math.Round(r.ConversionRate * 100, 2)]))]);
}
