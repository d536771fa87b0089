using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Alarms;

public sealed class AlarmOptions
{
    public const string Section = "Alarms";

    /// <summary>Watch numeric telemetry for readings far from the recent ones (robust z-score).</summary>
    public bool AnomalyDetection { get; set; } = true;

    /// <summary>Keys the anomaly detector watches; empty watches every numeric key.</summary>
    public List<string> AnomalyKeys { get; set; } = [];

    /// <summary>Readings each detector remembers (and needs before it judges).</summary>
    [Range(5, 10_000)] public int AnomalyWindow { get; set; } = 60;

    /// <summary>Modified z-score beyond which a reading is anomalous.</summary>
    [Range(1.0, 100.0)] public double AnomalyThreshold { get; set; } = 3.5;

    /// <summary>Normal readings in a row that clear an anomaly alarm.</summary>
    [Range(1, 10_000)] public int AnomalyClearAfter { get; set; } = 10;

    /// <summary>Failure-prediction models, one per device model, trained at start from labelled history.</summary>
    public List<FailureModelOptions> FailureModels { get; set; } = [];

    /// <summary>Signals watched at most (device × key); beyond, new signals are not watched, to bound memory.</summary>
    [Range(1, 10_000_000)] public int MaxWatchedSignals { get; set; } = 200_000;
}
