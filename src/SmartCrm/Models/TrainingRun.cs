using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Models;

public enum TrainingState { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>One training of a model kind, asked for by a person or the schedule: its state, progress and outcome.</summary>
public sealed class TrainingRun
{
    public long Id { get; set; }
    [MaxLength(50)] public required string Kind { get; set; }
    public TrainingState State { get; set; }

    /// <summary>0 to 1.</summary>
    public double Progress { get; set; }
    [MaxLength(300)] public string? Message { get; set; }
    [MaxLength(100)] public required string RequestedBy { get; set; }
    public DateTime RequestedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>Set by a cancel request from any node; the node running the training stops at its next look.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>The version it registered (null until it succeeds).</summary>
    public long? ModelVersionId { get; set; }

    public bool Finished => State is TrainingState.Succeeded or TrainingState.Failed or TrainingState.Cancelled;
}
