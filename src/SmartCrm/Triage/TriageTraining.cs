using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Models;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>
/// The category model as a kind of the model registry ("triage"): trained on the seed set and the company's labelled tickets,
/// judged on the hash-picked holdout (<see cref="TriageHoldout"/>) together with the active model, so agents' mistakes in the
/// training half cannot make triage worse. The version's payload is its training set: every node rebuilds the same model.
/// </summary>
public sealed class TriageTraining(IServiceScopeFactory scopes, TriageModels models, IOptions<TriageOptions> options, TimeProvider clock) : ModelTraining
{
    public const string Name = "triage";

    public override string Kind => Name;

    public override TimeSpan? Refresh => TimeSpan.FromHours(Math.Max(0.01, options.Value.RetrainHours));

    public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        await progress.ReportAsync(0.1, "reading labelled tickets", cancellationToken);
        var examples = await TriageModels.ExamplesAsync(db, cancellationToken);
        var seed = TriageSeed.Examples.Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
        // The seed set always trains: the holdout judges the company's own tickets.
        var holdout = examples.Where(e => !seed.Contains(e.Text) && TriageHoldout.Contains(e.Text)).ToList();
        var training = examples.Where(e => seed.Contains(e.Text) || !TriageHoldout.Contains(e.Text)).ToList();
        await progress.ReportAsync(0.3, $"training on {training.Count:N0} examples", cancellationToken);
        var candidate = await Task.Run(() => TicketClassifier.Train(training, cancellationToken), cancellationToken);
        await progress.ReportAsync(0.8, $"measuring on {holdout.Count:N0} held-out tickets", cancellationToken);
        models.Forget(); // judged against the version active now, not the one this node cached a few seconds ago
        var (_, active) = await models.CurrentAsync(db, cancellationToken);
        // With no holdout yet both measure 0: a tie, so the model that knows the newer tickets is taken.
        var accuracy = holdout.Count == 0 ? 0 : Math.Round(candidate.Accuracy(holdout), 4);
        var previous = holdout.Count == 0 ? 0 : Math.Round(active.Accuracy(holdout), 4);
        var now = clock.GetUtcNow().UtcDateTime;
        var labelled = db.Tickets.Where(t => db.Set<TriageDecision>().Any(d => d.TicketId == t.Id
            && (d.CorrectedAt != null || t.Status == TicketStatus.Resolved || t.Status == TicketStatus.Closed)));
        // The window in one query: both ends of the same rows.
        var window = await labelled.GroupBy(t => 1)
            .Select(g => new { From = g.Min(t => (DateTime?)t.CreatedAt), To = g.Max(t => (DateTime?)t.CreatedAt) })
            .FirstOrDefaultAsync(cancellationToken);
        var from = window?.From ?? now;
        var to = window?.To ?? now;
        var metrics = new Dictionary<string, double>
        {
            ["holdout_accuracy"] = accuracy,
            ["active_accuracy"] = previous,
            ["examples"] = training.Count,
            ["holdout_examples"] = holdout.Count,
            ["categories"] = training.Select(e => e.Category).Distinct(StringComparer.Ordinal).Count(),
        };
        return new ModelCandidate(Kind, "holdout_accuracy", accuracy, true, metrics, from, to, TriageModels.Pack(training), previous);
    }

    public override Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        // This node triages with the new version at once; other nodes see the activation within TriageModels' check period.
        models.Forget();
        return Task.CompletedTask;
    }
}
