using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Operations;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Triage;

/// <summary>
/// Triages the open tickets nobody has triaged yet (whatever channel or page opened them). The category model is retrained by
/// the model registry's schedule (<see cref="TriageTraining"/>).
/// </summary>
public sealed class TriageJob(IServiceScopeFactory scopes, IOptions<TriageOptions> options, DatabaseConnections connections,
    TimeProvider clock, ILogger<TriageJob> logger) : ScheduledJob(connections, clock, logger)
{
    protected override string Name => "triage";

    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, options.Value.PeriodSeconds));

    protected override bool Enabled => options.Value.Enabled;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => TriageUntriagedAsync(cancellationToken);

    /// <summary>Triages up to a batch of untriaged open tickets, oldest first; returns how many.</summary>
    public async Task<int> TriageUntriagedAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var ids = await db.Tickets
            .Where(t => t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed && !db.Set<TriageDecision>().Any(d => d.TicketId == t.Id))
            .OrderBy(t => t.Id).Select(t => t.Id).Take(options.Value.BatchSize).ToListAsync(cancellationToken);
        var triage = scope.ServiceProvider.GetRequiredService<TicketTriage>();
        foreach (var id in ids) await triage.TriageAsync(id, cancellationToken);
        if (ids.Count > 0) Logger.LogInformation("{Count} tickets triaged", ids.Count);
        return ids.Count;
    }
}
