namespace SmartCrm.Models;

/// <summary>
/// How one kind of model is trained from the CRM's own data. Each capability that owns a model (churn, segments, ...)
/// registers one; the training job runs it and offers the result to the <see cref="ModelRegistry"/>.
/// </summary>
public abstract class ModelTraining
{
    /// <summary>The model kind, as the registry and the API name it ("churn").</summary>
    public abstract string Kind { get; }

    /// <summary>How often the schedule retrains it; null trains on request only.</summary>
    public virtual TimeSpan? Refresh => TimeSpan.FromDays(1);

    /// <summary>Reads the features, fits, measures on a holdout and returns the candidate (the registry decides activation).</summary>
    public abstract Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken);

    /// <summary>After the candidate was registered: store what the version computes (scores), when it became active.</summary>
    public virtual Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken) => Task.CompletedTask;
}
