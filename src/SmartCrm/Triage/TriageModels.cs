using System.IO.Compression;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>
/// The category model in use on this node. The active version is the registry's active "triage" version (trained by
/// <see cref="TriageTraining"/>); each node rebuilds it from the examples stored with it (training is deterministic), and until
/// a company has a version of its own the seed set stands in.
/// </summary>
public sealed class TriageModels(TimeProvider clock, ILogger<TriageModels> logger) : IDisposable
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
        var active = await db.ModelVersions.Where(m => m.Kind == TriageTraining.Name && m.Active).Select(m => (long?)m.Id).FirstOrDefaultAsync(cancellationToken);
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
                : Unpack(await db.ModelVersions.Where(m => m.Id == active).Select(m => m.Payload).SingleAsync(cancellationToken) ?? []);
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

    /// <summary>Drops the model this node holds, so the next use reads which version is active now (after an activation here).</summary>
    public void Forget() => _current = null;

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
