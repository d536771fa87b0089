using System.Diagnostics;
using System.Globalization;
using SmartCrm.Alarms;
using SmartCrm.Demo;
using SmartCrm.Devices;

namespace SmartCrm.Bench.Alarms;

/// <summary>
/// False alarms and detections of early fault warning on the simulator's devices, in virtual time (no waiting):
/// <code>
/// dotnet run -c Release --project bench/SmartCrm.Bench -- alarms [seeds=500] [minutes=30] [interval-seconds=1] [nodes=1]
/// </code>
/// For each seed, one healthy device of every simulated model and one faulty device for every fault a model can develop
/// start at a random time of day (so some runs cross the thermostats' 06:00 and 22:00 set-point changes) and send one message
/// every interval for the given minutes. Their numeric readings go through <see cref="EarlyWarning"/> with the demo company's
/// rules and the default anomaly settings, exactly as the alarm engine judges them; an open-alarm set stands in for the
/// database. With nodes above 1, each device's messages go to the nodes in turn, each with its own detectors, as an upstream
/// broker's shared subscription spreads them. Prints, per model and fault: devices with at least one alarm, alarms per
/// device-hour, which alarms, and for faulty devices the share alarmed about the faulty signal and the time from the
/// fault's first reading to that alarm.
/// </summary>
public static class AlarmBench
{
    private sealed class Tally
    {
        public int Devices;
        public int Alarmed;
        public int Alarms;
        public int Detected;
        public readonly List<double> SecondsToDetection = [];
        public readonly Dictionary<string, int> ByType = new(StringComparer.Ordinal);
        public readonly Dictionary<string, int> FirstByType = new(StringComparer.Ordinal);
    }

    public static int Run(string[] args)
    {
        var seeds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
        var minutes = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var interval = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1);
        var nodes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var messages = (int)(TimeSpan.FromMinutes(minutes) / interval);
        var options = new AlarmOptions();
        var rules = DemoCompany.AlarmRules(DateTime.UnixEpoch).ToList();
        var tallies = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        var readings = new List<SimulatedReading>(8);
        var decisions = new List<AlarmDecision>(4);
        long judged = 0;
        for (var seed = 0; seed < seeds; seed++)
        {
            // A fresh node per seed: its detectors start empty, as after a restart.
            var warnings = Enumerable.Range(0, nodes).Select(_ => new EarlyWarning(options) { Rules = rules }).ToArray();
            var open = new HashSet<(long Device, string Type)>();
            var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).AddMinutes(new Random(seed).Next(24 * 60));
            long id = 0;
            foreach (var model in DeviceSimulator.Models)
            {
                foreach (var fault in (SimulatedFault[])[SimulatedFault.None, .. DeviceSimulator.FaultsOf(model)])
                {
                    var simulator = new DeviceSimulator(model, fault, seed * 31 + (int)id);
                    var device = new AlarmDevice(++id, $"{model}-{seed}", model, CustomerId: 1);
                    var key = fault == SimulatedFault.None ? $"healthy {model}" : $"faulty  {model} {fault}";
                    var signal = fault == SimulatedFault.None ? null : DeviceSimulator.SignalOf(fault);
                    if (!tallies.TryGetValue(key, out var tally)) tallies[key] = tally = new Tally();
                    tally.Devices++;
                    var onset = start + interval * simulator.FaultAfter;
                    var alarms = 0;
                    var detected = false;
                    for (var m = 0; m < messages; m++)
                    {
                        var now = start + interval * m;
                        readings.Clear();
                        simulator.Sample(now, readings);
                        var warning = warnings[m % nodes];
                        foreach (var reading in readings)
                        {
                            if (reading.IsBoolean) continue;
                            decisions.Clear();
                            warning.Judge(device, reading.Key, now.ToUnixTimeMilliseconds(), 0, reading.Value, open, decisions);
                            judged++;
                            foreach (var decision in decisions)
                            {
                                if (!decision.Raise)
                                {
                                    open.Remove((device.Id, decision.Type));
                                    continue;
                                }
                                // A raise on an open alarm only counts it again, as the alarm book does.
                                if (!open.Add((device.Id, decision.Type))) continue;
                                alarms++;
                                tally.ByType[decision.Type] = tally.ByType.GetValueOrDefault(decision.Type) + 1;
                                if (decision.Key == signal && !detected && now >= onset)
                                {
                                    detected = true;
                                    tally.Detected++;
                                    tally.SecondsToDetection.Add((now - onset).TotalSeconds);
                                    tally.FirstByType[decision.Type] = tally.FirstByType.GetValueOrDefault(decision.Type) + 1;
                                }
                            }
                        }
                    }
                    tally.Alarms += alarms;
                    if (alarms > 0) tally.Alarmed++;
                }
            }
        }
        var hours = minutes / 60;
        Console.WriteLine(FormattableString.Invariant(
            $"alarm benchmark: {seeds} seeds x {minutes} simulated minutes, one message every {interval.TotalSeconds} s per device, {nodes} node(s); demo rules; anomaly window {options.AnomalyWindow}, |z| > {options.AnomalyThreshold} and {options.AnomalyBeyond} spans beyond, tolerance {options.AnomalyTolerance}, clear after {options.AnomalyClearAfter}"));
        var healthy = new Tally();
        foreach (var (name, tally) in tallies)
        {
            var line = FormattableString.Invariant(
                $"{name,-30} devices {tally.Devices,5}  with alarms {tally.Alarmed,5} ({100.0 * tally.Alarmed / tally.Devices,5:0.0} %)  alarms/device-hour {tally.Alarms / (tally.Devices * hours),6:0.000}");
            if (name.StartsWith("faulty", StringComparison.Ordinal))
            {
                var seconds = tally.SecondsToDetection.Order().ToArray();
                line += FormattableString.Invariant($"  detected {100.0 * tally.Detected / tally.Devices,5:0.0} %");
                if (seconds.Length > 0) line += FormattableString.Invariant($"  to detection median {seconds[seconds.Length / 2]:0} s, p95 {seconds[(int)(seconds.Length * 0.95)]:0} s");
                line += "  first: " + Describe(tally.FirstByType);
            }
            else
            {
                healthy.Devices += tally.Devices;
                healthy.Alarmed += tally.Alarmed;
                healthy.Alarms += tally.Alarms;
            }
            Console.WriteLine(line);
            Console.WriteLine("    alarms by type: " + Describe(tally.ByType));
        }
        Console.WriteLine(FormattableString.Invariant(
            $"false-alarm rate: {healthy.Alarmed} of {healthy.Devices} healthy devices ({100.0 * healthy.Alarmed / healthy.Devices:0.00} %) raised an alarm; {healthy.Alarms / (healthy.Devices * hours):0.0000} alarms per device-hour"));
        var faulty = tallies.Where(t => t.Key.StartsWith("faulty", StringComparison.Ordinal)).Select(t => t.Value).ToList();
        Console.WriteLine(FormattableString.Invariant(
            $"detection rate: {faulty.Sum(t => t.Detected)} of {faulty.Sum(t => t.Devices)} faulty devices ({100.0 * faulty.Sum(t => t.Detected) / faulty.Sum(t => t.Devices):0.0} %) alarmed about the faulty signal after the fault began"));
        Console.WriteLine(FormattableString.Invariant($"{judged:N0} readings judged in {watch.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    private static string Describe(Dictionary<string, int> counts) =>
        counts.Count == 0 ? "-" : string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"));
}
