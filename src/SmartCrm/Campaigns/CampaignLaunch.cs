using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Storage;

namespace SmartCrm.Campaigns;

public enum LaunchOutcome { Launched, NotFound, NotDraft }

/// <summary>
/// Launching: the audience is read once, each customer's group is fixed and stored, and every message sent becomes an outbound
/// interaction on the customer's timeline. Customers without consent for the channel's purpose, without an address for it, or in
/// the hold-out get nothing.
/// </summary>
public sealed class CampaignLaunch(CrmDb db, TimeProvider clock, ILogger<CampaignLaunch> logger)
{
    public async Task<LaunchOutcome> LaunchAsync(long id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The claim: of two launches at once, one moves the draft on and the other finds it launched.
        var claimed = await db.Campaigns.Where(c => c.Id == id && c.Status == CampaignStatus.Draft)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Launched).SetProperty(c => c.LaunchedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return await db.Campaigns.AnyAsync(c => c.Id == id, cancellationToken) ? LaunchOutcome.NotDraft : LaunchOutcome.NotFound;
        }
        var campaign = await db.Campaigns.Include(c => c.Variants).FirstAsync(c => c.Id == id, cancellationToken);
        var variants = campaign.Variants.OrderBy(v => v.Id).ToList();
        var candidates = await CampaignAudience.ReadAsync(db, campaign, cancellationToken);
        // The timeline has no SMS channel of its own (the demo draws from the channels, so a new one would change its data): a
        // text message goes to the phone number and is recorded on the phone channel, its subject saying it was a text.
        var channel = campaign.Channel == CampaignChannel.Email ? Channel.Email : Channel.Phone;
        var kind = campaign.Channel == CampaignChannel.Sms ? "SMS: " : "";
        var agent = db.Actor.Name;
        var sends = new List<(CampaignMember Member, Interaction Interaction)>();
        var members = new List<CampaignMember>();
        foreach (var candidate in candidates)
        {
            var member = new CampaignMember { CampaignId = id, CustomerId = candidate.CustomerId, Group = CampaignAudience.GroupOf(id, candidate, campaign.HoldOutPercent) };
            members.Add(member);
            if (member.Group != CampaignGroup.Messaged) continue;
            var variant = variants[CampaignAudience.VariantOf(id, candidate.CustomerId, variants.Count)];
            member.VariantId = variant.Id;
            sends.Add((member, new Interaction
            {
                CustomerId = candidate.CustomerId, Channel = channel, Direction = Direction.Outbound, OccurredAt = now, Agent = agent,
                Subject = $"{kind}{campaign.Name} ({variant.Name})", Body = variant.Message,
            }));
        }
        // One audit line per send would bury the log under a campaign's thousands of rows; the sends are their own record.
        var audit = db.AuditEnabled;
        db.AuditEnabled = false;
        try
        {
            db.Interactions.AddRange(sends.Select(s => s.Interaction));
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (member, interaction) in sends) member.InteractionId = interaction.Id;
            db.CampaignMembers.AddRange(members);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.AuditEnabled = audit;
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Campaign {CampaignId} launched: {Audience} in the audience, {Messaged} messaged, {HoldOut} held out",
            id, members.Count, sends.Count, members.Count(m => m.Group == CampaignGroup.HoldOut));
        return LaunchOutcome.Launched;
    }

    /// <summary>The campaign with its counts and results, as the API and the console show it.</summary>
    public static async Task<CampaignView?> ViewAsync(CrmDb db, long id, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.Include(c => c.Variants).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is null) return null;
        AudienceCounts counts;
        if (campaign.Status == CampaignStatus.Draft)
        {
            counts = CampaignAudience.Count(id, await CampaignAudience.ReadAsync(db, campaign, cancellationToken), campaign.HoldOutPercent);
        }
        else
        {
            var groups = await db.CampaignMembers.Where(m => m.CampaignId == id).GroupBy(m => m.Group)
                .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
            int Of(CampaignGroup group) => groups.GetValueOrDefault(group);
            counts = new AudienceCounts(groups.Values.Sum(), Of(CampaignGroup.Messaged) + Of(CampaignGroup.HoldOut), Of(CampaignGroup.NoConsent),
                Of(CampaignGroup.NoAddress), Of(CampaignGroup.HoldOut), Of(CampaignGroup.Messaged));
        }
        return new CampaignView(campaign, counts, await CampaignResults.ReadAsync(db, campaign, cancellationToken));
    }
}
