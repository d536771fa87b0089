using System.Globalization;
using SmartCrm.Analytics.Streaming;

namespace SmartCrm.Alarms;

/// <summary>What a reading calls for: raise an alarm of a type on the device, or clear its open one.</summary>
public readonly record struct AlarmDecision(bool Raise, string Type, AlarmSeverity Severity, AlarmSource Source, string Message, string Key, double Value);

/// <summary>
/// The judgement half of early fault warning, without storage: threshold rules (per model and key, with hysteresis) and a
/// streaming anomaly detector per signal turn each reading into decisions to raise or clear alarms. The caller says which
/// alarms are open (the database knows: another node or a person may have raised or cleared them) and applies the
/// decisions; the alarm benchmark drives it on a virtual clock.
/// <para>
/// What it keeps per signal (device × key) is this node's view only and affects scores, never uniqueness: the newest
/// reading time it judged (an older or repeated reading — a QoS 1 redelivery, a replayed backlog — is not judged again),
/// the detector's window, and the run of normal readings that clears an anomaly. A node that starts, or that gets only
/// some of a device's readings, warms up on what it sees.
/// </para>
/// </summary>
public sealed class EarlyWarning(AlarmOptions options)
{
    private readonly Dictionary<(long Device, string Key), Signal> _signals = [];
    private readonly long _restartAfter = (long)options.AnomalyRestartAfter.TotalMilliseconds;

    private sealed class Signal
    {
        public long LastTs { get; set; } = long.MinValue;
        public long LastSeq { get; set; }
        public RobustZScore? Detector { get; set; }
        public int NormalInARow { get; set; }

        /// <summary>Per alarm type of rules with no clear line: readings in a row on the safe side.</summary>
        public Dictionary<string, int>? SafeInARow { get; set; }
    }

    public static string AnomalyType(string key) => "Anomaly:" + key;

    /// <summary>The enabled rules.</summary>
    public IReadOnlyList<AlarmRule> Rules { get; set; } = [];

    /// <summary>Signals followed (device × key).</summary>
    public int WatchedSignals => _signals.Count;

    /// <summary>Adds to <paramref name="decisions"/> what one numeric reading of <paramref name="device"/> at <paramref name="ts"/> (epoch ms) calls for.</summary>
    /// <param name="seq">The reading's order within its millisecond (<see cref="Telemetry.TelemetryPoint.Seq"/>): readings sent
    /// without a time share milliseconds, and each of them is judged.</param>
    /// <param name="open">The open alarms by device and type, as the database has them.</param>
    public void Judge(AlarmDevice device, string key, long ts, long seq, double value, IReadOnlySet<(long Device, string Type)> open, List<AlarmDecision> decisions)
    {
        if (!double.IsFinite(value)) return;
        var signal = SignalOf(device.Id, key);
        var restart = false;
        if (signal is not null)
        {
            if (signal.LastTs != long.MinValue)
            {
                var elapsed = ts - signal.LastTs;
                // Older than, or the same as, a reading already judged: the state it would set is out of date.
                if ((elapsed < 0 || (elapsed == 0 && seq <= signal.LastSeq)) && -elapsed < _restartAfter) return;
                restart = Math.Abs(elapsed) >= _restartAfter;
            }
            signal.LastTs = ts;
            signal.LastSeq = seq;
        }
        JudgeRules(device, key, value, signal, open, decisions);
        if (signal is not null && options.AnomalyDetection && (options.AnomalyKeys.Count == 0 || options.AnomalyKeys.Contains(key)))
        {
            JudgeAnomaly(device, key, value, signal, restart, open, decisions);
        }
    }

    private void JudgeRules(AlarmDevice device, string key, double value, Signal? signal, IReadOnlySet<(long Device, string Type)> open, List<AlarmDecision> decisions)
    {
        // Several rules may share an alarm type (a hot tank is Major, a very hot one Critical): one reading is one raise, at
        // the worst severity it meets, and it clears only when every rule of the type says it may.
        var first = decisions.Count;
        foreach (var rule in Rules)
        {
            if (!Applies(rule, device, key) || !rule.Raises(value)) continue;
            var decision = new AlarmDecision(true, rule.AlarmType, rule.Severity, AlarmSource.Rule,
                string.Create(CultureInfo.InvariantCulture, $"{key} {Describe(rule.Comparison)} {rule.Threshold}: {value}"), key, value);
            var same = Find(decisions, first, rule.AlarmType);
            if (same < 0) decisions.Add(decision);
            else if (decision.Severity > decisions[same].Severity) decisions[same] = decision;
            signal?.SafeInARow?.Remove(rule.AlarmType);
        }
        foreach (var rule in Rules)
        {
            if (!Applies(rule, device, key) || !open.Contains((device.Id, rule.AlarmType)) || Find(decisions, first, rule.AlarmType) >= 0) continue;
            var clears = true;
            var bare = true;
            var firstOfType = true;
            foreach (var other in Rules)
            {
                if (other.AlarmType != rule.AlarmType || !Applies(other, device, key)) continue;
                if (ReferenceEquals(other, rule)) break;
                firstOfType = false;
            }
            // Each type is judged once per reading, by its first rule.
            if (!firstOfType) continue;
            foreach (var other in Rules)
            {
                if (other.AlarmType != rule.AlarmType || !Applies(other, device, key)) continue;
                clears &= other.Clears(value);
                bare &= other.ClearThreshold is null;
            }
            if (!clears) continue;
            if (bare && signal is not null)
            {
                // No clear line: the value must stay on the safe side for a few readings, or a wobble at the line flaps.
                var safe = signal.SafeInARow ??= [];
                var run = safe[rule.AlarmType] = safe.GetValueOrDefault(rule.AlarmType) + 1;
                if (run < options.RuleClearAfter) continue;
                safe.Remove(rule.AlarmType);
            }
            decisions.Add(new(false, rule.AlarmType, rule.Severity, AlarmSource.Rule, string.Create(CultureInfo.InvariantCulture, $"{key} back to {value}"), key, value));
        }
    }

    private void JudgeAnomaly(AlarmDevice device, string key, double value, Signal signal, bool restart, IReadOnlySet<(long Device, string Type)> open,
        List<AlarmDecision> decisions)
    {
        var detector = signal.Detector ??= new RobustZScore(options.AnomalyWindow, options.AnomalyThreshold, tolerance: options.AnomalyTolerance,
            beyond: options.AnomalyBeyond, minScale: options.AnomalyMinScales.GetValueOrDefault(key));
        if (restart) detector.Restart();
        var before = detector.Count;
        var score = detector.Add(value);
        var type = AnomalyType(key);
        if (detector.IsAnomaly(score))
        {
            signal.NormalInARow = 0;
            decisions.Add(new(true, type, AlarmSeverity.Minor, AlarmSource.Anomaly, string.Create(CultureInfo.InvariantCulture,
                $"{key} = {value} is unusual for this device: {score.Beyond:0.#} spans beyond its last {before} readings (robust z {score.Z:0.0})"), key, value));
        }
        else if (score.Z is not null && ++signal.NormalInARow >= options.AnomalyClearAfter && open.Contains((device.Id, type)))
        {
            decisions.Add(new(false, type, AlarmSeverity.Minor, AlarmSource.Anomaly, $"{key} normal for {signal.NormalInARow} readings", key, value));
        }
    }

    private Signal? SignalOf(long device, string key)
    {
        if (_signals.TryGetValue((device, key), out var signal)) return signal;
        if (_signals.Count >= options.MaxWatchedSignals) return null;
        return _signals[(device, key)] = new Signal();
    }

    private static bool Applies(AlarmRule rule, AlarmDevice device, string key) => rule.Key == key && (rule.Model is null || rule.Model == device.Model);

    private static int Find(List<AlarmDecision> decisions, int first, string type)
    {
        for (var i = first; i < decisions.Count; i++)
        {
            if (decisions[i].Type == type) return i;
        }
        return -1;
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
}
