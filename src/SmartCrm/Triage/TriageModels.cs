using System.IO.Compression;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>
/// The category model in use on this node, and its retraining. The active version is the row of <see cref="TriageModel"/>
/// marked active; each node rebuilds it from the examples stored with it (training is deterministic), and until a company has
/// a version of its own the seed set stands in. A retrained model replaces the active one only if it does at least as well on
/// the holdout (<see cref="TriageHoldout"/>): agents' mistakes in the training half cannot make triage worse.
/// </summary>
public sealed class TriageModels(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TriageModels> logger) : IDisposable
{
    // Another node's activation is seen within this time; a triage costs no query for it in between.
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Loaded? _current;

    private sealed record Loaded(long? Version, TicketClassifier Model, DateTime CheckedAt);

    /// <summary>The active model and its version (null: the seed set's).</summary>
    public async Task<(long? Version, TicketClassifier Model)> CurrentAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var current = _current;
        if (current is not null && now - current.CheckedAt < CheckEvery) return (current.Version, current.Model);
        var active = await db.Set<TriageModel>().Where(m => m.Active).OrderByDescending(m => m.Id).Select(m => (long?)m.Id).FirstOrDefaultAsync(cancellationToken);
        if (current is not null && current.Version == active)
        {
            _current = current with { CheckedAt = now };
            return (active, current.Model);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } loaded && loaded.Version == active) return (active, loaded.Model);
            var examples = active is null
                ? TriageSeed.Examples
                : Unpack(await db.Set<TriageModel>().Where(m => m.Id == active).Select(m => m.TrainingSet).SingleAsync(cancellationToken));
            var model = await Task.Run(() => TicketClassifier.Train(examples, cancellationToken), cancellationToken);
            _current = new Loaded(active, model, now);
            logger.LogInformation("Triage model {Version} loaded ({Examples} examples)", active, examples.Count);
            return (active, model);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The examples a new model learns from: the seed set, then the company's tickets whose category a person confirmed, by
    /// correcting it or by closing the ticket with it (a later label of the same text wins).
    /// </summary>
    public static async Task<List<LabelledText>> ExamplesAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var labelled = await (from d in db.Set<TriageDecision>()
                              join t in db.Tickets on d.TicketId equals t.Id
                              where d.CorrectedAt != null || t.Status == TicketStatus.Resolved || t.Status == TicketStatus.Closed
                              orderby d.Id
                              select new { t.Subject, t.Description, d.Category }).ToListAsync(cancellationToken);
        var byText = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var example in TriageSeed.Examples) byText[example.Text] = example.Category;
        foreach (var row in labelled) byText[TicketTriage.TextOf(row.Subject, row.Description)] = row.Category;
        return byText.Select(p => new LabelledText(p.Key, p.Value)).ToList();
    }

    /// <summary>Trains a model on the current examples and activates it unless it is worse on the holdout than the active one.</summary>
    public async Task<TriageModel> RetrainAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var examples = await ExamplesAsync(db, cancellationToken);
        var seed = TriageSeed.Examples.Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
        // The seed set always trains: the holdout judges the company's own tickets.
        var holdout = examples.Where(e => !seed.Contains(e.Text) && TriageHoldout.Contains(e.Text)).ToList();
        var training = examples.Where(e => seed.Contains(e.Text) || !TriageHoldout.Contains(e.Text)).ToList();
        var candidate = await Task.Run(() => TicketClassifier.Train(training, cancellationToken), cancellationToken);
        var (activeVersion, active) = await CurrentAsync(db, cancellationToken);
        var accuracy = Math.Round(candidate.Accuracy(holdout), 4);
        var previous = Math.Round(active.Accuracy(holdout), 4);
        bool activate;
        string outcome;
        if (holdout.Count == 0)
        {
            activate = activeVersion is null;
            outcome = activate ? "activated: first model (no holdout yet)" : "kept the active model: no holdout to judge by yet";
        }
        else
        {
            activate = accuracy >= previous;
            outcome = activate
                ? $"activated: holdout accuracy {accuracy:0.###} ≥ {previous:0.###} of the active model"
                : $"kept the active model: holdout accuracy {accuracy:0.###} < {previous:0.###}";
        }
        var version = new TriageModel
        {
            TrainedAt = clock.GetUtcNow().UtcDateTime,
            Examples = training.Count,
            HoldoutExamples = holdout.Count,
            HoldoutAccuracy = accuracy,
            PreviousAccuracy = holdout.Count == 0 ? null : previous,
            Active = false,
            Outcome = outcome,
            TrainingSet = Pack(training),
        };
        // The audit log would copy the whole training set; the version row itself is the record of this change.
        db.AuditEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(version);
        await db.SaveChangesAsync(cancellationToken);
        if (activate)
        {
            await db.Set<TriageModel>().Where(m => m.Active).ExecuteUpdateAsync(s => s.SetProperty(m => m.Active, false), cancellationToken);
            await db.Set<TriageModel>().Where(m => m.Id == version.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Active, true), cancellationToken);
            version.Active = true;
        }
        await transaction.CommitAsync(cancellationToken);
        if (activate) _current = new Loaded(version.Id, candidate, clock.GetUtcNow().UtcDateTime);
        logger.LogInformation("Triage model {Version} trained on {Examples} examples: {Outcome}", version.Id, training.Count, outcome);
        return version;
    }

    public void Dispose() => _gate.Dispose();

    internal static byte[] Pack(IReadOnlyList<LabelledText> examples)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            JsonSerializer.Serialize(zip, examples.Select(e => new[] { e.Text, e.Category }).ToArray());
        }
        return buffer.ToArray();
    }

    internal static IReadOnlyList<LabelledText> Unpack(byte[] packed)
    {
        using var zip = new GZipStream(new MemoryStream(packed), CompressionMode.Decompress);
        var rows = JsonSerializer.Deserialize<string[][]>(zip) ?? [];
        return rows.Select(r => new LabelledText(r[0], r[1])).ToList();
    }
}
