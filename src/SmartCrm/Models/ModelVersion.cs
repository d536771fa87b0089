using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace SmartCrm.Models;

/// <summary>
/// One trained version of a model kind ("churn", "segments", ...): how it scored on its holdout, what data it saw, and the
/// fitted model itself. At most one version of a kind is active; the others are its history.
/// </summary>
public sealed class ModelVersion
{
    public long Id { get; set; }
    [MaxLength(50)] public required string Kind { get; set; }
    public int Version { get; set; }

    /// <summary>The holdout metric that decides activation (for example "auc"), and its value.</summary>
    [MaxLength(50)] public required string Metric { get; set; }
    public double Score { get; set; }
    public bool HigherIsBetter { get; set; } = true;

    /// <summary>Every holdout figure as a JSON object (the metric above among them).</summary>
    public string? Metrics { get; set; }

    /// <summary>The training window: the data the model was fitted on starts and ends here.</summary>
    public DateTime TrainedFrom { get; set; }
    public DateTime TrainedTo { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool Active { get; set; }
    public DateTime? ActivatedAt { get; set; }

    /// <summary>Why it was or was not activated, in a sentence.</summary>
    [MaxLength(300)] public string? Decision { get; set; }

    /// <summary>The training run that produced it (null when registered outside a run).</summary>
    public long? RunId { get; set; }

    /// <summary>The fitted model, in the form its kind reads back; never sent in API answers (it can be large).</summary>
    [JsonIgnore] public byte[]? Payload { get; set; }
}
