using SmartCrm.Alarms;
using SmartCrm.Demo;
using SmartCrm.Devices;

namespace SmartCrm.Tests.Alarms;

public sealed class EarlyWarningTests
{
    private static readonly AlarmDevice Device = new(1, "WH-50 in the basement", "WH-50", 10);

    [Fact]
    public void The_simulators_healthy_devices_raise_nothing_in_half_an_hour_and_every_faulty_one_is_alarmed_about_its_fault()
    {
        // bench/SmartCrm.Bench `alarms` runs this over many more seeds and prints the rates.
        var rules = DemoCompany.AlarmRules(DateTime.UnixEpoch).ToList();
        var readings = new List<SimulatedReading>();
        var decisions = new List<AlarmDecision>();
        for (var seed = 0; seed < 12; seed++)
        {
            var warning = new EarlyWarning(new AlarmOptions()) { Rules = rules };
            var open = new HashSet<(long Device, string Type)>();
            // Start times spread over the day, so some runs cross the thermostat's 06:00 and 22:00 set-point changes.
            var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).AddMinutes(seed * 120 + 50);
            long id = 0;
            foreach (var model in DeviceSimulator.Models)
            {
                foreach (var fault in (SimulatedFault[])[SimulatedFault.None, .. DeviceSimulator.FaultsOf(model)])
                {
                    var device = new AlarmDevice(++id, model, model, 1);
                    var simulator = new DeviceSimulator(model, fault, seed * 7 + (int)id);
                    var raised = new List<string>();
                    for (var m = 0; m < 1800; m++)
                    {
                        var now = start.AddSeconds(m);
                        readings.Clear();
                        simulator.Sample(now, readings);
                        foreach (var reading in readings.Where(r => !r.IsBoolean))
                        {
                            decisions.Clear();
                            warning.Judge(device, reading.Key, now.ToUnixTimeMilliseconds(), 0, reading.Value, open, decisions);
                            foreach (var decision in decisions)
                            {
                                if (!decision.Raise) open.Remove((device.Id, decision.Type));
                                else if (open.Add((device.Id, decision.Type))) raised.Add($"{decision.Type} at {m} s: {decision.Message}");
                            }
                        }
                    }
                    if (fault == SimulatedFault.None) raised.ShouldBeEmpty($"healthy {model}, seed {seed}");
                    else raised.ShouldContain(r => r.Contains(DeviceSimulator.SignalOf(fault), StringComparison.OrdinalIgnoreCase), $"{model} with {fault}, seed {seed}");
                }
            }
        }
    }

    [Fact]
    public void A_reading_older_than_or_repeating_one_already_judged_is_not_judged_again()
    {
        var warning = new EarlyWarning(new AlarmOptions { AnomalyDetection = false }) { Rules = [Rule("Overheat", Comparison.Above, 80, 75, AlarmSeverity.Major)] };
        var open = new HashSet<(long Device, string Type)>();
        Judge(warning, 2_000, 90, open).ShouldHaveSingleItem().Raise.ShouldBeTrue();
        open.Add((Device.Id, "Overheat"));
        Judge(warning, 2_000, 90, open).ShouldBeEmpty("a QoS 1 redelivery of the same reading");
        Judge(warning, 1_000, 70, open).ShouldBeEmpty("a late reading from before the alarm does not clear it");
        Judge(warning, 3_000, 70, open).ShouldHaveSingleItem().Raise.ShouldBeFalse();
        // A device clock set back by more than the restart gap is a new start, not a late reading.
        open.Clear();
        Judge(warning, 3_000 - (long)TimeSpan.FromHours(2).TotalMilliseconds, 95, open).ShouldHaveSingleItem().Raise.ShouldBeTrue();
    }

    [Fact]
    public void Readings_sent_without_a_time_in_the_same_millisecond_are_each_judged_in_their_order()
    {
        var warning = new EarlyWarning(new AlarmOptions { AnomalyDetection = false }) { Rules = [Rule("Overheat", Comparison.Above, 80, 75, AlarmSeverity.Major)] };
        var open = new HashSet<(long Device, string Type)>();
        Judge(warning, 5_000, 90, open, seq: 1).ShouldHaveSingleItem().Raise.ShouldBeTrue();
        open.Add((Device.Id, "Overheat"));
        Judge(warning, 5_000, 70, open, seq: 2).ShouldHaveSingleItem().Raise.ShouldBeFalse("a later reading of the same millisecond");
        open.Clear();
        Judge(warning, 5_000, 95, open, seq: 2).ShouldBeEmpty("the same reading again");
        Judge(warning, 5_000, 95, open, seq: 1).ShouldBeEmpty("an earlier reading of that millisecond");
    }

    [Fact]
    public void Rules_sharing_an_alarm_type_raise_once_per_reading_at_the_worst_severity_and_clear_only_together()
    {
        var warning = new EarlyWarning(new AlarmOptions { AnomalyDetection = false })
        {
            Rules = [Rule("Overheat", Comparison.Above, 80, 70, AlarmSeverity.Major), Rule("Overheat", Comparison.Above, 90, 85, AlarmSeverity.Critical)],
        };
        var open = new HashSet<(long Device, string Type)>();
        var raise = Judge(warning, 1, 95, open).ShouldHaveSingleItem();
        raise.Severity.ShouldBe(AlarmSeverity.Critical);
        open.Add((Device.Id, "Overheat"));
        Judge(warning, 2, 80, open).ShouldBeEmpty("below the critical clear line, but not the major one");
        Judge(warning, 3, 60, open).ShouldHaveSingleItem().Raise.ShouldBeFalse();
    }

    [Fact]
    public void A_value_wobbling_around_a_threshold_without_a_clear_line_keeps_one_alarm_until_it_stays_on_the_safe_side()
    {
        var warning = new EarlyWarning(new AlarmOptions { AnomalyDetection = false }) { Rules = [Rule("Hot", Comparison.Above, 80, null, AlarmSeverity.Major)] };
        var open = new HashSet<(long Device, string Type)>();
        var raised = 0;
        long ts = 0;
        foreach (var value in new double[] { 81, 79, 80.5, 79.9, 81, 79.5, 80.2, 78 })
        {
            foreach (var decision in Judge(warning, ++ts, value, open))
            {
                decision.Raise.ShouldBeTrue($"reading {ts} ({value})");
                if (open.Add((Device.Id, decision.Type))) raised++;
            }
        }
        raised.ShouldBe(1);
        Judge(warning, ++ts, 79, open).ShouldBeEmpty();
        Judge(warning, ++ts, 79, open).ShouldHaveSingleItem().Raise.ShouldBeFalse("three readings in a row below the line");
    }

    [Fact]
    public void An_anomaly_alarm_clears_after_a_run_of_normal_readings_and_a_long_silence_starts_the_window_again()
    {
        var options = new AlarmOptions { AnomalyWindow = 10, AnomalyClearAfter = 3 };
        var warning = new EarlyWarning(options);
        var open = new HashSet<(long Device, string Type)>();
        long ts = 0;
        for (var i = 0; i < 10; i++) Judge(warning, ts += 1_000, 19, open).ShouldBeEmpty();
        var raised = Judge(warning, ts += 1_000, 45, open).ShouldHaveSingleItem();
        raised.Type.ShouldBe("Anomaly:tankTemperature");
        raised.Message.ShouldContain("34.2 spans beyond its last 10 readings");
        open.Add((Device.Id, raised.Type));
        Judge(warning, ts += 1_000, 19, open).ShouldBeEmpty();
        Judge(warning, ts += 1_000, 19, open).ShouldBeEmpty();
        Judge(warning, ts += 1_000, 19, open).ShouldHaveSingleItem().Raise.ShouldBeFalse();
        open.Clear();

        // Off for two hours, then back at another level: the old window no longer describes the device.
        for (var i = 0; i < 10; i++) Judge(warning, ts += 1_000, 19, open);
        ts += (long)TimeSpan.FromHours(2).TotalMilliseconds;
        Judge(warning, ts, 45, open).ShouldBeEmpty("a new window, warming up");
    }

    private static List<AlarmDecision> Judge(EarlyWarning warning, long ts, double value, HashSet<(long Device, string Type)> open, long seq = 0)
    {
        var decisions = new List<AlarmDecision>();
        warning.Judge(Device, "tankTemperature", ts, seq, value, open, decisions);
        return decisions;
    }

    private static AlarmRule Rule(string type, Comparison comparison, double threshold, double? clear, AlarmSeverity severity) => new()
    {
        Name = type, Key = "tankTemperature", Comparison = comparison, Threshold = threshold, ClearThreshold = clear, Severity = severity, AlarmType = type,
    };
}
