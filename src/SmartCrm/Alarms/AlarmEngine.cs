using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Analytics.Streaming;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Alarms;

/// <summary>
/// Early fault warning on committed telemetry: threshold rules (per model and key, with hysteresis) and a streaming anomaly
/// detector per signal. Raises and clears alarms through <see cref="AlarmBook"/>; runs on every node for the telemetry that
/// node wrote.
/// </summary>
public sealed class AlarmEngine(TelemetryFeed feed, IServiceScopeFactory scopes, IOptions<AlarmOptions> options, FailurePrediction prediction, TimeProvider clock,
    ILogger<AlarmEngine> logger)
    : BackgroundService
{
    private static readonly TimeSpan RulesLifetime = TimeSpan.FromSeconds(10);

    private readonly Dictionary<long, AlarmDevice?> _devices = [];
    private readonly Dictionary<(long Device, string Key), Watch> _watches = [];
    private readonly HashSet<(long Device, string Type)> _open = [];
    private readonly Dictionary<long, double[]> _features = [];
    private List<AlarmRule> _rules = [];
    private DateTimeOffset _rulesLoadedAt = DateTimeOffset.MinValue;
    private ChannelReader<TelemetryPoint[]>? _reader;
    private IDisposable? _subscription;

    private sealed class Watch(RobustZScore detector)
    {
        public RobustZScore Detector { get; } = detector;
        public int NormalInARow { get; set; }
    }

    public static string AnomalyType(string key) => "Anomaly:" + key;

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
        await LoadOpenAlarmsAsync(stoppingToken);
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
        var settings = options.Value;
        var scored = new HashSet<long>();
        foreach (var point in batch)
        {
            if (point.Kind != ValueKind.Number || point.Number is not { } value) continue;
            var device = await DeviceAsync(point.DeviceId, cancellationToken);
            if (device is null) continue;
            foreach (var rule in _rules)
            {
                if (rule.Key != point.Key || (rule.Model is not null && rule.Model != device.Model)) continue;
                if (rule.Raises(value))
                {
                    await RaiseAsync(device, rule.AlarmType, rule.Severity, AlarmSource.Rule,
                        $"{point.Key} {Describe(rule.Comparison)} {rule.Threshold}: {value}", point.Key, value, cancellationToken);
                }
                else if (_open.Contains((device.Id, rule.AlarmType)) && rule.Clears(value))
                {
                    await ClearAsync(device.Id, rule.AlarmType, $"{point.Key} back to {value}", cancellationToken);
                }
            }
            if (settings.AnomalyDetection && (settings.AnomalyKeys.Count == 0 || settings.AnomalyKeys.Contains(point.Key)))
            {
                await WatchAsync(device, point.Key, value, settings, cancellationToken);
            }
            if (prediction.For(device.Model) is { } model && Array.IndexOf(model.Keys, point.Key) is >= 0 and var feature)
            {
                if (!_features.TryGetValue(device.Id, out var latest)) _features[device.Id] = latest = Enumerable.Repeat(double.NaN, model.Keys.Length).ToArray();
                latest[feature] = value;
                scored.Add(device.Id);
            }
        }
        foreach (var id in scored) await PredictAsync(id, cancellationToken);
    }

    /// <summary>Scores a device once all of its model's features have a reading; raises or clears the FailureRisk alarm.</summary>
    private async Task PredictAsync(long deviceId, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(deviceId, cancellationToken);
        if (device is null || prediction.For(device.Model) is not { } model || !_features.TryGetValue(deviceId, out var features) || features.Any(double.IsNaN)) return;
        var (risk, reasons) = FailurePrediction.Score(model, features);
        if (risk >= model.Options.Threshold)
        {
            await RaiseAsync(device, FailurePrediction.AlarmType, AlarmSeverity.Major, AlarmSource.Prediction,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Failure risk {risk:P0}: {reasons}"), "failureRisk", risk, cancellationToken);
        }
        else if (risk < model.Options.Threshold / 2 && _open.Contains((deviceId, FailurePrediction.AlarmType)))
        {
            await ClearAsync(deviceId, FailurePrediction.AlarmType, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Failure risk down to {risk:P0}"), cancellationToken);
        }
    }

    private async Task WatchAsync(AlarmDevice device, string key, double value, AlarmOptions settings, CancellationToken cancellationToken)
    {
        if (!_watches.TryGetValue((device.Id, key), out var watch))
        {
            if (_watches.Count >= settings.MaxWatchedSignals) return;
            watch = new Watch(new RobustZScore(settings.AnomalyWindow, settings.AnomalyThreshold));
            _watches[(device.Id, key)] = watch;
        }
        var score = watch.Detector.Add(value);
        var type = AnomalyType(key);
        if (watch.Detector.IsAnomaly(score))
        {
            watch.NormalInARow = 0;
            await RaiseAsync(device, type, AlarmSeverity.Minor, AlarmSource.Anomaly,
                $"{key} = {value} is unusual for this device (robust z {score.Z:0.0})", key, value, cancellationToken);
        }
        else if (score.Z is not null && ++watch.NormalInARow >= settings.AnomalyClearAfter && _open.Contains((device.Id, type)))
        {
            await ClearAsync(device.Id, type, $"{key} normal for {watch.NormalInARow} readings", cancellationToken);
        }
    }

    private async Task RaiseAsync(AlarmDevice device, string type, AlarmSeverity severity, AlarmSource source, string message, string key, double value,
        CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AlarmBook>().RaiseAsync(device, type, severity, source, message, key, value, cancellationToken);
        _open.Add((device.Id, type));
    }

    private async Task ClearAsync(long deviceId, string type, string note, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AlarmBook>().ClearOpenAsync(deviceId, type, "data", note, cancellationToken);
        _open.Remove((deviceId, type));
    }

    private async Task<AlarmDevice?> DeviceAsync(long id, CancellationToken cancellationToken)
    {
        if (_devices.TryGetValue(id, out var known)) return known;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var device = await db.Devices.Where(d => d.Id == id).Select(d => new AlarmDevice(d.Id, d.Name, d.Model, d.CustomerId)).FirstOrDefaultAsync(cancellationToken);
        _devices[id] = device;
        return device;
    }

    private async Task RefreshRulesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now - _rulesLoadedAt < RulesLifetime) return;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        _rules = await db.AlarmRules.Where(r => r.Enabled).ToListAsync(cancellationToken);
        // Owners and models change rarely; a rule refresh is a good moment to forget what was cached about devices.
        _devices.Clear();
        _rulesLoadedAt = now;
    }

    private async Task LoadOpenAlarmsAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        foreach (var open in await db.Alarms.Where(a => a.ClearedAt == null).Select(a => new { a.DeviceId, a.Type }).ToListAsync(cancellationToken))
        {
            _open.Add((open.DeviceId, open.Type));
        }
    }

    private static string Describe(Comparison comparison) => comparison switch
    {
        Comparison.Above => ">",
        Comparison.AtLeast => "≥",
        Comparison.Below => "<",
        Comparison.AtMost => "≤",
        Comparison.EqualTo => "=",
        _ => "≠",
    };

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }
}
