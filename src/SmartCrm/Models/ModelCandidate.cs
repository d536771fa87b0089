namespace SmartCrm.Models;

/// <summary>A freshly trained model, offered to the registry: its holdout metric decides whether it becomes active.</summary>
/// <param name="Metrics">Every holdout figure; serialised as the version's metrics JSON.</param>
public sealed record ModelCandidate(
    string Kind, string Metric, double Score, bool HigherIsBetter, IReadOnlyDictionary<string, double> Metrics,
    DateTime TrainedFrom, DateTime TrainedTo, byte[]? Payload);
