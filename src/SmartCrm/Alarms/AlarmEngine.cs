using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Alarms;

/// <summary>
/// Early fault warning on committed telemetry: runs every node's own readings through <see cref="EarlyWarning"/> (threshold
/// rules and the anomaly detector) and the failure model, and applies what they call for through <see cref="AlarmBook"/>.
/// Which alarms are open is read from the database for each batch, never remembered: with an upstream broker one device's
/// readings reach any node, and an alarm raised on one may be cleared by another, or by a person.
/// </summary>
public sealed class AlarmEngine(TelemetryFeed feed, TelemetryStore store, IServiceScopeFactory scopes, IOptions<AlarmOptions> options, FailurePrediction prediction,
    TimeProvider clock, ILogger<AlarmEngine> logger)
    : BackgroundService
{
    private static readonly TimeSpan RulesLifetime = TimeSpan.FromSeconds(10);

    // Devices and open alarms are read in chunks of this many ids: bounded statements at any fleet size.
    private const int Chunk = 500;

    private readonly EarlyWarning _warning = new(options.Value);
    private readonly Dictionary<long, AlarmDevice?> _devices = [];
    private readonly Dictionary<long, double[]> _features = [];
    private readonly List<AlarmDecision> _decisions = [];
    private DateTimeOffset _rulesLoadedAt = DateTimeOffset.MinValue;
    private ChannelReader<TelemetryPoint[]>? _reader;
    private IDisposable? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribe before the writer's first batch, so no committed reading goes unseen.
        _reader = feed.Subscribe(lossless: true, out _subscription);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Rules changed here: read them again before the next batch.</summary>
    public void RulesChanged() => _rulesLoadedAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var batch in _reader!.ReadAllAsync(stoppingToken))
        {
            try
            {
                await EvaluateAsync(batch, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Alarm evaluation failed for a batch of {Points} readings", batch.Length);
            }
        }
    }

    private async Task EvaluateAsync(TelemetryPoint[] batch, CancellationToken cancellationToken)
    {
        await RefreshRulesAsync(cancellationToken);
        var ids = new HashSet<long>();
        foreach (var point in batch)
        {
            if (point.Kind == ValueKind.Number && point.Number is { } n && double.IsFinite(n)) ids.Add(point.DeviceId);
        }
        if (ids.Count == 0) return;
        await LoadDevicesAsync(ids, cancellationToken);
        var open = await OpenAlarmsAsync(ids, cancellationToken);
        var scored = new HashSet<long>();
        foreach (var point in batch)
        {
            if (point.Kind != ValueKind.Number || point.Number is not { } value || !double.IsFinite(value)) continue;
            if (_devices.GetValueOrDefault(point.DeviceId) is not { } device) continue;
            _decisions.Clear();
            _warning.Judge(device, point.Key, point.Ts, point.Seq, value, open, _decisions);
            foreach (var decision in _decisions) await ApplyAsync(device, decision, open, cancellationToken);
            if (prediction.For(device.Model) is { } model && Array.IndexOf(model.Keys, point.Key) is >= 0 and var feature)
            {
                if (!_features.TryGetValue(device.Id, out var latest)) _features[device.Id] = latest = Enumerable.Repeat(double.NaN, model.Keys.Length).ToArray();
                latest[feature] = value;
                scored.Add(device.Id);
            }
        }
        foreach (var id in scored) await PredictAsync(_devices[id]!, open, cancellationToken);
    }

    private async Task ApplyAsync(AlarmDevice device, AlarmDecision decision, HashSet<(long Device, string Type)> open, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var book = scope.ServiceProvider.GetRequiredService<AlarmBook>();
        if (decision.Raise)
        {
            await book.RaiseAsync(device, decision.Type, decision.Severity, decision.Source, decision.Message, decision.Key, decision.Value, cancellationToken);
            open.Add((device.Id, decision.Type));
        }
        else
        {
            await book.ClearOpenAsync(device.Id, decision.Type, "data", decision.Message, cancellationToken);
            open.Remove((device.Id, decision.Type));
        }
    }

    /// <summary>Scores a device once all of its model's features have a reading; raises or clears the FailureRisk alarm.</summary>
    private async Task PredictAsync(AlarmDevice device, HashSet<(long Device, string Type)> open, CancellationToken cancellationToken)
    {
        if (prediction.For(device.Model) is not { } model || !_features.TryGetValue(device.Id, out var features)) return;
        if (features.Any(double.IsNaN))
        {
            // This node has not seen every feature (another node took those readings, or this one just started): the latest
            // stored values stand in.
            foreach (var latest in await store.LatestAsync(device.Id, cancellationToken))
            {
                if (latest.Kind == ValueKind.Number && latest.Number is { } number && Array.IndexOf(model.Keys, latest.Key) is >= 0 and var i && double.IsNaN(features[i])) features[i] = number;
            }
            if (features.Any(double.IsNaN)) return;
        }
        var (risk, reasons) = FailurePrediction.Score(model, features);
        if (risk >= model.Options.Threshold)
        {
            await ApplyAsync(device, new AlarmDecision(true, FailurePrediction.AlarmType, AlarmSeverity.Major, AlarmSource.Prediction,
                string.Create(CultureInfo.InvariantCulture, $"Failure risk {risk:P0}: {reasons}"), "failureRisk", risk), open, cancellationToken);
        }
        else if (risk < model.Options.Threshold / 2 && open.Contains((device.Id, FailurePrediction.AlarmType)))
        {
            await ApplyAsync(device, new AlarmDecision(false, FailurePrediction.AlarmType, AlarmSeverity.Major, AlarmSource.Prediction,
                string.Create(CultureInfo.InvariantCulture, $"Failure risk down to {risk:P0}"), "failureRisk", risk), open, cancellationToken);
        }
    }

    private async Task LoadDevicesAsync(HashSet<long> ids, CancellationToken cancellationToken)
    {
        var missing = ids.Where(id => !_devices.ContainsKey(id)).ToList();
        if (missing.Count == 0) return;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        foreach (var chunk in missing.Chunk(Chunk))
        {
            foreach (var id in chunk) _devices[id] = null;
            var found = await db.Devices.Where(d => chunk.Contains(d.Id)).Select(d => new AlarmDevice(d.Id, d.Name, d.Model, d.CustomerId)).ToListAsync(cancellationToken);
            foreach (var device in found) _devices[device.Id] = device;
        }
    }

    private async Task<HashSet<(long Device, string Type)>> OpenAlarmsAsync(HashSet<long> ids, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var open = new HashSet<(long Device, string Type)>();
        foreach (var chunk in ids.Chunk(Chunk))
        {
            foreach (var alarm in await db.Alarms.Where(a => a.ClearedAt == null && chunk.Contains(a.DeviceId)).Select(a => new { a.DeviceId, a.Type }).ToListAsync(cancellationToken))
            {
                open.Add((alarm.DeviceId, alarm.Type));
            }
        }
        return open;
    }

    private async Task RefreshRulesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now - _rulesLoadedAt < RulesLifetime) return;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        _warning.Rules = await db.AlarmRules.Where(r => r.Enabled).ToListAsync(cancellationToken);
        // Owners and models change rarely; a rule refresh is a good moment to forget what was cached about devices.
        _devices.Clear();
        _rulesLoadedAt = now;
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }
}
