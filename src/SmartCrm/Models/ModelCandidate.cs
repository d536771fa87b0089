namespace SmartCrm.Models;

/// <summary>A freshly trained model, offered to the registry: its holdout metric decides whether it becomes active.</summary>
/// <param name="Metrics">Every holdout figure; serialised as the version's metrics JSON.</param>
/// <param name="ActiveScore">
/// The active version measured on this candidate's holdout, when the training could measure it: the two are then judged on
/// the same examples rather than against the score the active version had on its own, older holdout.
/// </param>
public sealed record ModelCandidate(
    string Kind, string Metric, double Score, bool HigherIsBetter, IReadOnlyDictionary<string, double> Metrics,
    DateTime TrainedFrom, DateTime TrainedTo, byte[]? Payload, double? ActiveScore = null);
