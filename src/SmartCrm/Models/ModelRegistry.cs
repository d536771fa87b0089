using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Models;

/// <summary>
/// The versions of every model kind. A new version becomes active only when it is not worse than the active one on the
/// same holdout metric; otherwise it is kept in the history, inactive, with the reason.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<CrmDb> contexts, TimeProvider clock, ILogger<ModelRegistry> logger)
{
    public async Task<ModelVersion> RegisterAsync(ModelCandidate candidate, long? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (double.IsNaN(candidate.Score)) throw new ArgumentException("A model's holdout score must be a number.", nameof(candidate));
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Payloads are large and metrics are in the row itself: the registry's rows are their own history, not audited.
        db.AuditEnabled = false;
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.TrackAll;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var active = await db.ModelVersions.Where(v => v.Kind == candidate.Kind && v.Active).FirstOrDefaultAsync(cancellationToken);
        var last = await db.ModelVersions.Where(v => v.Kind == candidate.Kind).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var (activate, decision) = Decide(candidate, active);
        var version = new ModelVersion
        {
            Kind = candidate.Kind,
            Version = last + 1,
            Metric = candidate.Metric,
            Score = candidate.Score,
            HigherIsBetter = candidate.HigherIsBetter,
            Metrics = JsonSerializer.Serialize(candidate.Metrics),
            TrainedFrom = candidate.TrainedFrom,
            TrainedTo = candidate.TrainedTo,
            CreatedAt = now,
            Active = activate,
            ActivatedAt = activate ? now : null,
            Decision = decision,
            RunId = runId,
            Payload = candidate.Payload,
        };
        if (activate && active is not null) active.Active = false;
        await db.SaveChangesAsync(cancellationToken);
        db.ModelVersions.Add(version);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Model {Kind} v{Version}: {Metric} {Score:0.####}, {Decision}", version.Kind, version.Version, version.Metric, version.Score, decision);
        version.Payload = null;
        return version;
    }

    /// <summary>
    /// Not worse on the same metric (a tie activates: the newer window is fresher), against the active version measured on the
    /// candidate's own holdout when the training gave that figure. A new metric starts a new line.
    /// </summary>
    private static (bool Activate, string Decision) Decide(ModelCandidate candidate, ModelVersion? active)
    {
        if (active is null) return (true, "activated: first version of this kind");
        if (active.Metric != candidate.Metric) return (true, $"activated: measured by {candidate.Metric}, the active version by {active.Metric}");
        var baseline = candidate.ActiveScore is { } same && double.IsFinite(same) ? same : active.Score;
        var where = candidate.ActiveScore is { } s && double.IsFinite(s) ? " on the same holdout" : "";
        var better = candidate.HigherIsBetter ? candidate.Score >= baseline : candidate.Score <= baseline;
        return better
            ? (true, $"activated: {candidate.Metric} {candidate.Score:0.####} not worse than v{active.Version}'s {baseline:0.####}{where}")
            : (false, $"kept inactive: {candidate.Metric} {candidate.Score:0.####} worse than active v{active.Version}'s {baseline:0.####}{where}");
    }

    /// <summary>The active version of <paramref name="kind"/> with its payload, or null before the first training.</summary>
    public async Task<ModelVersion?> ActiveAsync(string kind, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.Where(v => v.Kind == kind && v.Active).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Versions newest first, without payloads; of one kind when <paramref name="kind"/> is given.</summary>
    public async Task<List<ModelVersion>> HistoryAsync(string? kind, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.ModelVersions.AsQueryable();
        if (!string.IsNullOrEmpty(kind)) query = query.Where(v => v.Kind == kind);
        return await query.OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id).Take(limit)
            .Select(v => new ModelVersion
            {
                Id = v.Id, Kind = v.Kind, Version = v.Version, Metric = v.Metric, Score = v.Score, HigherIsBetter = v.HigherIsBetter,
                Metrics = v.Metrics, TrainedFrom = v.TrainedFrom, TrainedTo = v.TrainedTo, CreatedAt = v.CreatedAt, Active = v.Active,
                ActivatedAt = v.ActivatedAt, Decision = v.Decision, RunId = v.RunId,
            })
            .ToListAsync(cancellationToken);
    }
}
