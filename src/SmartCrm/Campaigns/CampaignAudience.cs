using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Customers;
using SmartCrm.Insights;
using SmartCrm.Storage;

namespace SmartCrm.Campaigns;

/// <summary>How many customers a campaign reaches and why the others are left out.</summary>
public sealed record AudienceCounts(int Audience, int Eligible, int NoConsent, int NoAddress, int HoldOut, int Messaged);

/// <summary>One customer of the audience as the launch sees them.</summary>
public sealed record AudienceCandidate(long CustomerId, bool Consented, bool Addressable);

/// <summary>
/// Who a campaign is for: the customers of its segment that pass its filters, each placed in a group. The groups are drawn from
/// a hash of the campaign and the customer, not from a random generator, so the same audience always splits the same way: the
/// draft's preview is the launch's split, and the split can be recomputed later to check it.
/// </summary>
public static class CampaignAudience
{
    public static ConsentPurpose PurposeOf(CampaignChannel channel) => channel switch
    {
        CampaignChannel.Email => ConsentPurpose.MarketingEmail,
        CampaignChannel.Sms => ConsentPurpose.MarketingSms,
        _ => ConsentPurpose.MarketingPhone,
    };

    public static IQueryable<Customer> Matching(CrmDb db, Campaign campaign)
    {
        var query = db.Customers.AsQueryable();
        if (campaign.Segment is { } segment) query = query.Where(c => c.Segment == segment);
        query = campaign.ChurnBand switch
        {
            ChurnBand.High => query.Where(c => c.ChurnScore >= ChurnReader.High),
            ChurnBand.Medium => query.Where(c => c.ChurnScore >= ChurnReader.Medium && c.ChurnScore < ChurnReader.High),
            ChurnBand.Low => query.Where(c => c.ChurnScore < ChurnReader.Medium),
            _ => query,
        };
        if (campaign.Tag is { } tag) query = query.Where(c => c.Tags.Contains(tag));
        if (campaign.DeviceModel is { } model) query = query.Where(c => db.Devices.Any(d => d.CustomerId == c.Id && d.Model == model));
        return query;
    }

    public static async Task<List<AudienceCandidate>> ReadAsync(CrmDb db, Campaign campaign, CancellationToken cancellationToken)
    {
        var audience = Matching(db, campaign);
        var email = campaign.Channel == CampaignChannel.Email;
        var customers = await audience.OrderBy(c => c.Id)
            .Select(c => new { c.Id, Address = email ? c.Email : c.Phone })
            .ToListAsync(cancellationToken);
        var purpose = PurposeOf(campaign.Channel);
        var ids = audience.Select(c => c.Id);
        var consents = await db.Consents.Where(k => k.Purpose == purpose && ids.Contains(k.CustomerId))
            .Select(k => new { k.CustomerId, k.Granted, k.RecordedAt, k.Id })
            .ToListAsync(cancellationToken);
        // The latest word on a purpose counts: a consent withdrawn after it was given is no consent.
        var granted = consents.GroupBy(k => k.CustomerId)
            .Where(g => g.OrderByDescending(k => k.RecordedAt).ThenByDescending(k => k.Id).First().Granted)
            .Select(g => g.Key).ToHashSet();
        return [.. customers.Select(c => new AudienceCandidate(c.Id, granted.Contains(c.Id), !string.IsNullOrWhiteSpace(c.Address)))];
    }

    public static CampaignGroup GroupOf(long campaignId, AudienceCandidate candidate, int holdOutPercent) =>
        !candidate.Consented ? CampaignGroup.NoConsent
        : !candidate.Addressable ? CampaignGroup.NoAddress
        : Draw(campaignId, candidate.CustomerId, "hold-out") * 100 < holdOutPercent ? CampaignGroup.HoldOut
        : CampaignGroup.Messaged;

    /// <summary>The variant (index) of a messaged customer; a draw of its own, so variants and hold-out are independent.</summary>
    public static int VariantOf(long campaignId, long customerId, int variants) =>
        Math.Min(variants - 1, (int)(Draw(campaignId, customerId, "variant") * variants));

    public static AudienceCounts Count(long campaignId, IReadOnlyCollection<AudienceCandidate> candidates, int holdOutPercent)
    {
        var groups = candidates.Select(c => GroupOf(campaignId, c, holdOutPercent)).ToList();
        var held = groups.Count(g => g == CampaignGroup.HoldOut);
        var messaged = groups.Count(g => g == CampaignGroup.Messaged);
        return new AudienceCounts(candidates.Count, held + messaged, groups.Count(g => g == CampaignGroup.NoConsent),
            groups.Count(g => g == CampaignGroup.NoAddress), held, messaged);
    }

    /// <summary>A number in [0, 1) fixed by the campaign, the customer and the purpose of the draw.</summary>
    public static double Draw(long campaignId, long customerId, string purpose)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"campaign:{campaignId}:{purpose}:{customerId}"), hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}
