using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

/// <summary>A change to the desk's setup refused: the field and why.</summary>
public sealed record SetupProblem(string Field, string Message);

/// <summary>
/// The desk's setup, kept by managers: the SLA policies (by priority and tier), the queues new tickets join, and each agent's
/// skills for assignment by skill. Every change is audited like any other row.
/// </summary>
public sealed class DeskSetup(CrmDb db, TimeProvider clock, DeskRules rules)
{
    /// <summary>Longest target accepted: a year, in minutes.</summary>
    public const int MaxMinutes = 525_600;

    /// <summary>The policies, standard tier first, most urgent first (eight rows: sorted here, not in SQL where enums are names).</summary>
    public async Task<List<SlaPolicy>> PoliciesAsync(CancellationToken cancellationToken) =>
        (await db.SlaPolicies.ToListAsync(cancellationToken)).OrderBy(p => p.Tier).ThenByDescending(p => p.Priority).ToList();

    /// <summary>Sets the targets of one priority and tier; tickets opened from now on get them.</summary>
    public async Task<(SlaPolicy? Policy, SetupProblem? Problem)> SetPolicyAsync(Priority priority, CustomerTier tier, int? firstResponseMinutes, int? resolutionMinutes,
        CancellationToken cancellationToken)
    {
        if (firstResponseMinutes is not (>= 1 and <= MaxMinutes)) return (null, new("firstResponseMinutes", $"Whole minutes from 1 to {MaxMinutes:N0}."));
        if (resolutionMinutes is not (>= 1 and <= MaxMinutes)) return (null, new("resolutionMinutes", $"Whole minutes from 1 to {MaxMinutes:N0}."));
        if (resolutionMinutes < firstResponseMinutes) return (null, new("resolutionMinutes", "The resolution cannot be due before the first response."));
        var policy = await db.SlaPolicies.AsTracking().FirstOrDefaultAsync(p => p.Priority == priority && p.Tier == tier, cancellationToken);
        if (policy is null)
        {
            policy = new SlaPolicy { Priority = priority, Tier = tier };
            db.SlaPolicies.Add(policy);
        }
        policy.FirstResponseMinutes = firstResponseMinutes.Value;
        policy.ResolutionMinutes = resolutionMinutes.Value;
        policy.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        policy.UpdatedBy = db.Actor.Name;
        await db.SaveChangesAsync(cancellationToken);
        rules.Forget();
        return (policy, null);
    }

    public Task<List<TicketQueue>> QueuesAsync(CancellationToken cancellationToken) =>
        db.TicketQueues.OrderBy(q => q.Position).ThenBy(q => q.Id).ToListAsync(cancellationToken);

    public async Task<(TicketQueue? Queue, SetupProblem? Problem)> AddQueueAsync(string? name, int? position, TicketKind? kind, string? channel, string? category,
        CancellationToken cancellationToken)
    {
        var clean = Normalise.Text(name);
        if (clean is null) return (null, new("name", "Required."));
        if (clean.Length > 50) return (null, new("name", "At most 50 characters."));
        if (InputText.Problem(clean) is { } problem) return (null, new("name", problem));
        var channelName = Normalise.Text(channel)?.ToLowerInvariant();
        if (channelName is not null && !ChannelOptions.Known.ContainsKey(channelName))
            return (null, new("channel", $"Not a channel (known: {string.Join(", ", ChannelOptions.Known.Keys)})."));
        var categoryName = Normalise.Text(category);
        if (categoryName is { Length: > 100 }) return (null, new("category", "At most 100 characters."));
        if (await db.TicketQueues.AnyAsync(q => q.Name == clean, cancellationToken)) return (null, new("name", "A queue of this name exists."));
        var queue = new TicketQueue
        {
            Name = clean, Kind = kind, Channel = channelName, Category = categoryName,
            Position = position ?? (await db.TicketQueues.MaxAsync(q => (int?)q.Position, cancellationToken) ?? 0) + 1,
        };
        db.TicketQueues.Add(queue);
        await db.SaveChangesAsync(cancellationToken);
        rules.Forget();
        return (queue, null);
    }

    /// <summary>Removes a queue; its tickets stay, in no queue.</summary>
    public async Task<bool> RemoveQueueAsync(long id, CancellationToken cancellationToken)
    {
        var queue = await db.TicketQueues.AsTracking().FirstOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (queue is null) return false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Tickets.Where(t => t.QueueId == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.QueueId, (long?)null), cancellationToken);
        db.TicketQueues.Remove(queue);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        rules.Forget();
        return true;
    }

    /// <summary>Every agent's skills, by user name.</summary>
    public async Task<Dictionary<string, List<string>>> SkillsAsync(CancellationToken cancellationToken) =>
        (await db.AgentSkills.OrderBy(s => s.UserName).ThenBy(s => s.Skill).ToListAsync(cancellationToken))
            .GroupBy(s => s.UserName).ToDictionary(g => g.Key, g => g.Select(s => s.Skill).ToList(), StringComparer.Ordinal);

    /// <summary>Replaces an agent's skills (comma-separated or a list; blank clears them).</summary>
    public async Task<(List<string>? Skills, SetupProblem? Problem)> SetSkillsAsync(string userName, IEnumerable<string>? skills, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken)) return (null, new("userName", $"No user named '{InputText.Cut(userName, 100)}'."));
        var wanted = (skills ?? []).SelectMany(s => s.Split(',')).Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (wanted.Count > 50) return (null, new("skills", "At most 50 skills."));
        if (wanted.FirstOrDefault(s => s.Length > 100 || InputText.Problem(s) is not null) is { } bad) return (null, new("skills", $"Not a skill: '{InputText.Cut(bad, 40)}'."));
        var current = await db.AgentSkills.AsTracking().Where(s => s.UserName == userName).ToListAsync(cancellationToken);
        db.AgentSkills.RemoveRange(current.Where(c => !wanted.Contains(c.Skill, StringComparer.Ordinal)));
        foreach (var skill in wanted.Where(w => !current.Any(c => c.Skill == w))) db.AgentSkills.Add(new AgentSkill { UserName = userName, Skill = skill });
        await db.SaveChangesAsync(cancellationToken);
        return (wanted.Order(StringComparer.Ordinal).ToList(), null);
    }
}
