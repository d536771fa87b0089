using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace SmartCrm.Triage;

/// <summary>
/// One training of the category model: how many examples, its accuracy on the holdout next to the accuracy of the model that
/// was active then, and whether it was activated. The examples are kept (compressed) so every node rebuilds the same model.
/// The list of these rows is the model's accuracy over time.
/// </summary>
public sealed class TriageModel
{
    public long Id { get; set; }
    public DateTime TrainedAt { get; set; }
    public int Examples { get; set; }
    public int HoldoutExamples { get; set; }
    public double HoldoutAccuracy { get; set; }
    /// <summary>The accuracy of the model active before, on the same holdout (null for the first model).</summary>
    public double? PreviousAccuracy { get; set; }
    public bool Active { get; set; }
    [MaxLength(300)] public required string Outcome { get; set; }
    /// <summary>The training examples, gzip'd JSON [[text, category], ...].</summary>
    [JsonIgnore] public byte[] TrainingSet { get; set; } = [];
}
