using FsCheck;
using FsCheck.Xunit;
using SmartCrm.Analytics.Streaming;

namespace SmartCrm.Analytics.Tests.Streaming;

public sealed class RobustZScoreTests
{
    [Fact]
    public void Scores_against_the_median_and_mad_of_the_readings_before_and_the_span_they_cover()
    {
        var detector = new RobustZScore(window: 5);
        foreach (var v in new double[] { 10, 12, 11, 13, 9 }) detector.Add(v).Z.ShouldBeNull();
        // Window 9..13: median 11, deviations 0,1,1,2,2 → MAD 1; z = (15 − 11) / (1.4826 · 1); 2 beyond a span of 4.
        var score = detector.Add(15);
        score.Z!.Value.ShouldBe(2.698, 0.001);
        score.Beyond.ShouldBe(0.5);
        score.OutsideRecentRange.ShouldBeTrue();
        detector.IsAnomaly(score).ShouldBeFalse("2.7 is within 3.5");
        detector.IsAnomaly(new AnomalyScore(-3.6, 20)).ShouldBeTrue();
        detector.IsAnomaly(new AnomalyScore(-3.6, 10)).ShouldBeFalse("near the span the window already covers");
        detector.IsAnomaly(new AnomalyScore(-3.4, 20)).ShouldBeFalse("near the median");
    }

    [Fact]
    public void Noise_is_never_an_anomaly_and_a_reading_far_beyond_it_is()
    {
        var random = new Random(7);
        var detector = new RobustZScore();
        var sensitive = new RobustZScore(beyond: 1);
        var far = new RobustZScore();
        var alarms = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var reading = 20 + Normal(random) * 0.5;
            if (detector.IsAnomaly(detector.Add(reading))) alarms++;
            sensitive.Add(reading);
            far.Add(reading);
        }
        alarms.ShouldBe(0);
        detector.IsAnomaly(detector.Add(26)).ShouldBeFalse("twelve standard deviations, but within fifteen spans of 40 noisy readings");
        sensitive.IsAnomaly(sensitive.Add(26)).ShouldBeTrue("a detector told to look one span out");
        far.IsAnomaly(far.Add(60)).ShouldBeTrue();
    }

    [Fact]
    public void A_constant_window_judges_a_change_by_its_size_against_the_level_and_never_scores_infinity()
    {
        var detector = new RobustZScore(window: 10);
        for (var i = 0; i < 10; i++) detector.Add(19);
        detector.Add(19).ShouldBe(new AnomalyScore(0, 0));
        // The spread of a window of one value is taken as 4 % of its level: 0.76 here.
        var small = detector.Add(19.5);
        small.Z!.Value.ShouldBe(0.5 / 0.76, 1e-9);
        detector.IsAnomaly(small).ShouldBeFalse();
        var setPoint = new RobustZScore(window: 10);
        for (var i = 0; i < 10; i++) setPoint.Add(21);
        setPoint.IsAnomaly(setPoint.Add(17)).ShouldBeFalse("a thermostat's set-point moving from day to night is a fifth of its level");

        var stuck = new RobustZScore(window: 10);
        for (var i = 0; i < 10; i++) stuck.Add(19);
        var glitch = stuck.Add(45);
        double.IsFinite(glitch.Z!.Value).ShouldBeTrue();
        glitch.Beyond.ShouldBe(26 / 0.76, 1e-9);
        stuck.IsAnomaly(glitch).ShouldBeTrue("a stuck sensor jumping to more than twice its value");
    }

    [Fact]
    public void A_window_that_never_left_zero_gives_no_verdict_unless_the_signal_has_a_minimum_scale()
    {
        var leak = new RobustZScore(window: 10);
        var scaled = new RobustZScore(window: 10, minScale: 0.05);
        for (var i = 0; i < 10; i++)
        {
            leak.Add(0);
            scaled.Add(0);
        }
        var score = leak.Add(1);
        score.ShouldBe(new AnomalyScore(0, 0));
        leak.IsAnomaly(score).ShouldBeFalse();
        var known = scaled.Add(1);
        known.Beyond.ShouldBe(20);
        scaled.IsAnomaly(known).ShouldBeTrue();
    }

    [Fact]
    public void A_counter_that_goes_back_to_zero_restarts_the_window_instead_of_alarming()
    {
        var detector = new RobustZScore(window: 20);
        double energy = 12_000;
        var random = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            energy += random.Next(0, 4);
            detector.IsAnomaly(detector.Add(energy)).ShouldBeFalse();
        }
        var reboot = detector.Add(3);
        reboot.Restarted.ShouldBeTrue();
        reboot.Z.ShouldBeNull();
        detector.Count.ShouldBe(1);
        for (double count = 4; count < 200; count += 2) detector.IsAnomaly(detector.Add(count)).ShouldBeFalse();

        // A signal that went up and down is no counter: a fall far below it is judged.
        var level = new RobustZScore(window: 20);
        for (var i = 0; i < 40; i++) level.Add(12_000 + i % 4);
        var fall = level.Add(3);
        fall.Restarted.ShouldBeFalse();
        level.IsAnomaly(fall).ShouldBeTrue();
    }

    [Fact]
    public void Restarting_forgets_the_window_and_warms_up_again()
    {
        var detector = new RobustZScore(window: 5);
        for (var i = 0; i < 5; i++) detector.Add(10 + i % 2);
        detector.Add(10).Z.ShouldNotBeNull();
        detector.Restart();
        detector.Count.ShouldBe(0);
        for (var i = 0; i < 5; i++) detector.Add(500).Z.ShouldBeNull("warming up on the new level");
        detector.Add(500).Z.ShouldBe(0);
    }

    [Fact]
    public void A_signal_switching_between_two_levels_is_not_an_anomaly_at_each_switch_but_a_new_level_is()
    {
        var detector = new RobustZScore(window: 60, beyond: 1);
        var alarms = 0;
        // A heater: off (0 W) most of the time, on (2 kW) a fifth of the time.
        for (var i = 0; i < 600; i++)
        {
            if (detector.IsAnomaly(detector.Add(i % 10 < 2 ? 2_000 + i % 3 : 0))) alarms++;
        }
        alarms.ShouldBe(0);
        detector.IsAnomaly(detector.Add(6_000)).ShouldBeTrue("three times the usual power has not been seen");
    }

    [Fact]
    public void A_slow_drain_within_the_tolerance_is_not_an_anomaly_but_a_collapse_is()
    {
        var detector = new RobustZScore();
        var twin = new RobustZScore();
        var alarms = 0;
        // A battery reported to 0.1 %, draining 0.002 % a reading: every few readings a new low by 0.1.
        for (var i = 0; i < 600; i++)
        {
            var level = Math.Round(100 - i * 0.002, 1);
            if (detector.IsAnomaly(detector.Add(level))) alarms++;
            twin.Add(level);
        }
        alarms.ShouldBe(0);
        detector.IsAnomaly(detector.Add(80)).ShouldBeFalse("a fifth of the level, from a window that barely moved");
        twin.IsAnomaly(twin.Add(20)).ShouldBeTrue("a cell giving out");
        new RobustZScore(tolerance: 0).Tolerance.ShouldBe(0);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_readings_are_ignored_and_leave_the_window_as_it_was(double reading)
    {
        var detector = new RobustZScore(window: 5);
        var twin = new RobustZScore(window: 5);
        foreach (var v in new double[] { 10, 12, 11, 13, 9 })
        {
            detector.Add(v);
            twin.Add(v);
        }
        detector.Add(reading).ShouldBe(default);
        detector.Count.ShouldBe(5);
        detector.Add(15).ShouldBe(twin.Add(15));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(window: 2));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(threshold: 0));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(window: 10, warmUp: 20));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(tolerance: -1));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(beyond: -1));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(minScale: double.NaN));
    }

    [Property]
    public bool Scores_are_finite_whatever_the_readings(double[] readings)
    {
        var detector = new RobustZScore(window: 6, warmUp: 5);
        foreach (var v in readings)
        {
            var score = detector.Add(v);
            if (score.Z is { } z && !double.IsFinite(z)) return false;
            if (!double.IsFinite(score.Beyond) || score.Beyond < 0) return false;
        }
        return true;
    }

    [Property]
    public bool The_score_does_not_change_when_the_signal_is_shifted_and_scaled(NormalFloat[] readings, NormalFloat shift)
    {
        var values = readings.Select(r => Math.Clamp(r.Get, -1e6, 1e6)).ToArray();
        var offset = Math.Clamp(shift.Get, -1e6, 1e6);
        var a = new RobustZScore(window: 8, warmUp: 5, tolerance: 0);
        var b = new RobustZScore(window: 8, warmUp: 5, tolerance: 0);
        var same = true;
        foreach (var v in values)
        {
            var sa = a.Add(v);
            var sb = b.Add(3 * v + offset);
            // A counter reset is judged against 0, which shifting moves: from there on the two windows differ.
            if (sa.Restarted || sb.Restarted) break;
            if (sa.Z is { } x && sb.Z is { } y && Math.Abs(x - y) > 1e-6 * Math.Max(1, Math.Abs(x))) same = false;
            if (Math.Abs(sa.Beyond - sb.Beyond) > 1e-6 * Math.Max(1, sa.Beyond)) same = false;
        }
        return same;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
