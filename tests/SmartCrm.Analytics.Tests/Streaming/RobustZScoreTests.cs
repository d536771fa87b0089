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
        foreach (var v in new double[] { 10, 12, 11, 13, 9 }) detector.Add(v).ShouldBeNull();
        // Window 9..13: median 11, deviations 0,1,1,2,2 → MAD 1; z = 0.6745 · (15 − 11) / 1.
        detector.Add(15)!.Value.ShouldBe(2.698, 0.001);
        detector.IsAnomaly(2.698).ShouldBeFalse();
        detector.IsAnomaly(-3.6).ShouldBeTrue();
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
        detector.Add(5).ShouldBe(0);
        detector.Add(5.1).ShouldBe(double.PositiveInfinity);
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
    }

    [Property]
    public bool The_score_does_not_change_when_the_signal_is_shifted_and_scaled(NormalFloat[] readings, NormalFloat shift)
    {
        var values = readings.Select(r => Math.Clamp(r.Get, -1e6, 1e6)).ToArray();
        var offset = Math.Clamp(shift.Get, -1e6, 1e6);
        var a = new RobustZScore(window: 8, warmUp: 5);
        var b = new RobustZScore(window: 8, warmUp: 5);
        var same = true;
        foreach (var v in values)
        {
            var za = a.Add(v);
            var zb = b.Add(3 * v + offset);
            if (za is { } x && zb is { } y && double.IsFinite(x) && Math.Abs(x - y) > 1e-6 * Math.Max(1, Math.Abs(x))) same = false;
        }
        return same;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
