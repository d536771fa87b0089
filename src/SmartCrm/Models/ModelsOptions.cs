namespace SmartCrm.Models;

public sealed class ModelsOptions
{
    public const string Section = "Models";

    /// <summary>How often the training job looks for requested runs and due schedules.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>False: no scheduled retraining (requested runs still run).</summary>
    public bool Schedule { get; set; } = true;

    /// <summary>False switches the training job off on this node (another node may run it).</summary>
    public bool Enabled { get; set; } = true;
}
