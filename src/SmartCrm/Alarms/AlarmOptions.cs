using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Alarms;

public sealed class AlarmOptions : IValidatableObject
{
    public const string Section = "Alarms";

    /// <summary>Watch numeric telemetry for readings far from the recent ones (robust z-score and gap beyond the recent span).</summary>
    public bool AnomalyDetection { get; set; } = true;

    /// <summary>Keys the anomaly detector watches; empty watches every numeric key.</summary>
    public List<string> AnomalyKeys { get; set; } = [];

    /// <summary>Readings each detector remembers (and needs before it judges). Below the simulator's 50-reading glitch period.</summary>
    [Range(5, 10_000)] public int AnomalyWindow { get; set; } = 40;

    /// <summary>Modified z-score beyond which a reading may be anomalous (Iglewicz and Hoaglin's 3.5).</summary>
    [Range(1.0, 100.0)] public double AnomalyThreshold { get; set; } = 3.5;

    /// <summary>
    /// How far outside the window's lowest-to-highest span, in widths of it, a reading must also lie. Measured with
    /// `bench alarms`: the simulator's healthy devices reach 9.9 (a purifier's particle bursts, 3,000 half-hours), a
    /// stuck sensor's glitch 34.
    /// </summary>
    [Range(0.0, 10_000.0)] public double AnomalyBeyond { get; set; } = 15;

    /// <summary>The spread and span of a window never count as less than this share of its median's magnitude.</summary>
    [Range(0.0, 1.0)] public double AnomalyTolerance { get; set; } = 0.04;

    /// <summary>Smallest spread per key, in the key's unit (for signals that sit at 0, such as a leak sensor, that a rule does not watch).</summary>
    public Dictionary<string, double> AnomalyMinScales { get; set; } = [];

    /// <summary>
    /// Readings in a row without an anomaly that clear an anomaly alarm: more than the window holds, since until the anomalous
    /// reading has left the window the detector could not see the same trouble again (a stuck sensor's glitch every 50
    /// readings keeps its one alarm open instead of raising 70 an hour).
    /// </summary>
    [Range(1, 10_000)] public int AnomalyClearAfter { get; set; } = 60;

    /// <summary>A signal silent for this long (or whose clock jumped back as far) starts a new window: its old readings no longer describe it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")] public TimeSpan AnomalyRestartAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Readings in a row on the safe side that clear the alarm of a rule with no clear line of its own: a value wobbling
    /// around a bare threshold would otherwise raise and clear a new alarm at every other reading.
    /// </summary>
    [Range(1, 1_000)] public int RuleClearAfter { get; set; } = 3;

    /// <summary>Failure-prediction models, one per device model, trained at start from labelled history.</summary>
    public List<FailureModelOptions> FailureModels { get; set; } = [];

    /// <summary>Signals followed at most (device × key); beyond, new signals are judged by the rules only, to bound memory.</summary>
    [Range(1, 10_000_000)] public int MaxWatchedSignals { get; set; } = 200_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (key, scale) in AnomalyMinScales)
        {
            if (!double.IsFinite(scale) || scale < 0) yield return new ValidationResult($"Alarms:AnomalyMinScales:{key} must be a number, 0 or more.", [nameof(AnomalyMinScales)]);
        }
    }
}
