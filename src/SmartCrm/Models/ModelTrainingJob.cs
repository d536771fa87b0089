using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Operations;
using SmartCrm.Storage;

namespace SmartCrm.Models;

/// <summary>
/// Runs the requested and due trainings, one at a time and on one node at a time (the "model-training" lease). A cancel
/// request stored on the run stops it within a second, whichever node asked.
/// </summary>
public sealed class ModelTrainingJob(
    DatabaseConnections connections, IDbContextFactory<CrmDb> contexts, IEnumerable<ModelTraining> trainings, ModelRegistry registry,
    IOptions<ModelsOptions> options, TimeProvider clock, ILogger<ModelTrainingJob> logger) : ScheduledJob(connections, clock, logger)
{
    protected override string Name => "model-training";

    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(0.05, options.Value.PollSeconds));

    protected override bool Enabled => options.Value.Enabled;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // We hold the lease, so a run still marked running was left by a node that stopped mid-training.
            var now = Clock.GetUtcNow().UtcDateTime;
            await db.TrainingRuns.Where(r => r.State == TrainingState.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, TrainingState.Failed).SetProperty(r => r.FinishedAt, now)
                    .SetProperty(r => r.Message, "stopped: the node running it went away"), cancellationToken);
            if (options.Value.Schedule) await QueueDueAsync(db, now, cancellationToken);
        }
        while (await ClaimAsync(cancellationToken) is { } run)
        {
            await RunAsync(run, cancellationToken);
        }
    }

    private async Task QueueDueAsync(CrmDb db, DateTime now, CancellationToken cancellationToken)
    {
        foreach (var training in trainings)
        {
            if (training.Refresh is not { } refresh) continue;
            var last = await db.TrainingRuns.Where(r => r.Kind == training.Kind).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            if (last is not null && (!last.Finished || last.RequestedAt > now - refresh)) continue;
            db.AuditEnabled = false;
            db.TrainingRuns.Add(new TrainingRun { Kind = training.Kind, State = TrainingState.Queued, RequestedBy = "schedule", RequestedAt = now, Message = "queued" });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task<TrainingRun?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var known = trainings.Select(t => t.Kind).ToList();
        while (true)
        {
            var next = await db.TrainingRuns.Where(r => r.State == TrainingState.Queued && known.Contains(r.Kind)).OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            if (next is null) return null;
            var now = Clock.GetUtcNow().UtcDateTime;
            // Conditional: a cancel may have won the race for this row.
            var claimed = await db.TrainingRuns.Where(r => r.Id == next.Id && r.State == TrainingState.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, TrainingState.Running).SetProperty(r => r.StartedAt, now)
                    .SetProperty(r => r.Message, "started"), cancellationToken);
            if (claimed == 1) return next;
        }
    }

    private async Task RunAsync(TrainingRun run, CancellationToken stopping)
    {
        var training = trainings.First(t => t.Kind == run.Kind);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var watch = WatchForCancelAsync(run.Id, cancel);
        var (state, message, versionId) = (TrainingState.Failed, "", (long?)null);
        try
        {
            Logger.LogInformation("Training {Kind} (run {Run}, asked by {RequestedBy})", run.Kind, run.Id, run.RequestedBy);
            var candidate = await training.TrainAsync(new TrainingProgress(contexts, run.Id), cancel.Token);
            cancel.Token.ThrowIfCancellationRequested();
            var version = await registry.RegisterAsync(candidate, run.Id, cancel.Token);
            if (version.Active) await training.ActivatedAsync(version, cancel.Token);
            (state, message, versionId) = (TrainingState.Succeeded, $"v{version.Version} {version.Decision}", version.Id);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            (state, message) = (TrainingState.Cancelled, "cancelled");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Training {Kind} (run {Run}) failed", run.Kind, run.Id);
            (state, message) = (TrainingState.Failed, "failed: " + e.Message);
        }
        finally
        {
            await cancel.CancelAsync();
            await watch;
        }
        if (message.Length > 300) message = message[..300];
        var now = Clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.TrainingRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, state).SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.Message, message).SetProperty(r => r.ModelVersionId, versionId)
            .SetProperty(r => r.Progress, r => state == TrainingState.Succeeded ? 1 : r.Progress), CancellationToken.None);
    }

    /// <summary>Looks at the run's row every so often and cancels the training when someone asked it to stop.</summary>
    private async Task WatchForCancelAsync(long runId, CancellationTokenSource cancel)
    {
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancel.Token);
                await using var db = await contexts.CreateDbContextAsync(cancel.Token);
                if (await db.TrainingRuns.AnyAsync(r => r.Id == runId && r.CancelRequested, cancel.Token))
                {
                    await cancel.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The training ended (or was cancelled): nothing left to watch.
        }
    }
}
