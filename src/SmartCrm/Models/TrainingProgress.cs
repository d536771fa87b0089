using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Models;

/// <summary>What a training reports while it runs: a fraction done and a line saying what it is doing, stored on its run.</summary>
public sealed class TrainingProgress(IDbContextFactory<CrmDb> contexts, long runId)
{
    public long RunId => runId;

    public async Task ReportAsync(double fraction, string message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var progress = Math.Clamp(fraction, 0, 1);
        var text = message.Length > 300 ? message[..300] : message;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.TrainingRuns.Where(r => r.Id == runId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Progress, progress).SetProperty(r => r.Message, text), cancellationToken);
    }
}
