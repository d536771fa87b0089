using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Models;

/// <summary>Asks for trainings and cancels them, from any node: the rows are the queue, the training job on one node works it.</summary>
public sealed class TrainingRequests(IDbContextFactory<CrmDb> contexts, IEnumerable<ModelTraining> trainings, TimeProvider clock)
{
    public IReadOnlyList<string> Kinds { get; } = [.. trainings.Select(t => t.Kind).Order(StringComparer.Ordinal)];

    /// <summary>
    /// A queued run of <paramref name="kind"/>, or the one already queued or running (asking twice trains once);
    /// null for a kind nobody trains.
    /// </summary>
    public async Task<TrainingRun?> RequestAsync(string kind, string requestedBy, CancellationToken cancellationToken)
    {
        if (!Kinds.Contains(kind)) return null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEnabled = false;
        var pending = await db.TrainingRuns.Where(r => r.Kind == kind && (r.State == TrainingState.Queued || r.State == TrainingState.Running))
            .OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        if (pending is not null) return pending;
        var run = new TrainingRun { Kind = kind, State = TrainingState.Queued, RequestedBy = requestedBy, RequestedAt = clock.GetUtcNow().UtcDateTime, Message = "queued" };
        db.TrainingRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    /// <summary>Cancels a queued run at once and asks a running one to stop; null when there is no such run.</summary>
    public async Task<TrainingRun?> CancelAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        // Conditional updates: the job may claim the run between our read and our write.
        await db.TrainingRuns.Where(r => r.Id == runId && r.State == TrainingState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, TrainingState.Cancelled).SetProperty(r => r.CancelRequested, true)
                .SetProperty(r => r.FinishedAt, now).SetProperty(r => r.Message, "cancelled before it started"), cancellationToken);
        await db.TrainingRuns.Where(r => r.Id == runId && r.State == TrainingState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelRequested, true), cancellationToken);
        return await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
    }

    public async Task<TrainingRun?> FindAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
    }

    public async Task<List<TrainingRun>> RecentAsync(string? kind, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.TrainingRuns.AsQueryable();
        if (!string.IsNullOrEmpty(kind)) query = query.Where(r => r.Kind == kind);
        return await query.OrderByDescending(r => r.Id).Take(limit).ToListAsync(cancellationToken);
    }
}
