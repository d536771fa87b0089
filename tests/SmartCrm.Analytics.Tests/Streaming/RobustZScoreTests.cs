using FsCheck;
using FsCheck.Xunit;
using SmartCrm.Analytics.Streaming;

namespace SmartCrm.Analytics.Tests.Streaming;

public sealed class RobustZScoreTests
{
    [Fact]
    public void Scores_against_the_median_and_mad_of_the_readings_before()
    {
        var detector = new RobustZScore(window: 5);
        foreach (var v in new double[] { 10, 12, 11, 13, 9 }) detector.Add(v).Z.ShouldBeNull();
        // Window 9..13: median 11, deviations 0,1,1,2,2 → MAD 1; z = 0.6745 · (15 − 11) / 1.
        var score = detector.Add(15);
        score.Z!.Value.ShouldBe(2.698, 0.001);
        score.OutsideRecentRange.ShouldBeTrue();
        detector.IsAnomaly(score).ShouldBeFalse("2.7 is within 3.5");
        detector.IsAnomaly(new AnomalyScore(-3.6, true)).ShouldBeTrue();
        detector.IsAnomaly(new AnomalyScore(-3.6, false)).ShouldBeFalse("a level seen in the window is not new");
    }

    [Fact]
    public void A_spike_in_a_noisy_signal_is_an_anomaly_and_the_noise_is_not()
    {
        var random = new Random(7);
        var detector = new RobustZScore(window: 60);
        var alarms = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var reading = 20 + Normal(random) * 0.5;
            if (detector.IsAnomaly(detector.Add(reading))) alarms++;
        }
        alarms.ShouldBeLessThan(10, "about 1 in 2,000 Gaussian readings lies beyond 3.5 modified z");
        detector.IsAnomaly(detector.Add(26)).ShouldBeTrue();
    }

    [Fact]
    public void A_constant_signal_flags_any_change_and_nothing_else()
    {
        var detector = new RobustZScore(window: 10);
        for (var i = 0; i < 10; i++) detector.Add(5);
        detector.Add(5).Z.ShouldBe(0);
        detector.Add(5.1).Z.ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void A_signal_switching_between_two_levels_is_not_an_anomaly_at_each_switch_but_a_new_level_is()
    {
        var detector = new RobustZScore(window: 60);
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
    public void A_slow_drain_within_the_tolerance_is_not_an_anomaly_but_a_drop_beyond_it_is()
    {
        var detector = new RobustZScore(window: 60);
        var alarms = 0;
        // A battery reported to 0.1 %, draining 0.002 % a reading: every few readings a new low by 0.1.
        for (var i = 0; i < 600; i++)
        {
            if (detector.IsAnomaly(detector.Add(Math.Round(100 - i * 0.002, 1)))) alarms++;
        }
        alarms.ShouldBe(0);
        detector.IsAnomaly(detector.Add(80)).ShouldBeTrue();
        new RobustZScore(window: 60, tolerance: 0).Tolerance.ShouldBe(0);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_readings_are_refused(double reading) =>
        Should.Throw<ArgumentException>(() => new RobustZScore().Add(reading)).Message.ShouldContain("finite");

    [Fact]
    public void Bad_settings_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(window: 2));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(threshold: 0));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(window: 10, warmUp: 20));
        Should.Throw<ArgumentOutOfRangeException>(() => new RobustZScore(tolerance: -1));
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
            var za = a.Add(v).Z;
            var zb = b.Add(3 * v + offset).Z;
            if (za is { } x && zb is { } y && double.IsFinite(x) && Math.Abs(x - y) > 1e-6 * Math.Max(1, Math.Abs(x))) same = false;
        }
        return same;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
