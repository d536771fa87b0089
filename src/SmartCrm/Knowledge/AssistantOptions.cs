namespace SmartCrm.Knowledge;

/// <summary>Settings of the FAQ assistant (section "Assistant").</summary>
public sealed class AssistantOptions
{
    public const string Section = "Assistant";

    /// <summary>
    /// Below this similarity the assistant hands the question to a person. Chosen on banking77 (`smartcrm eval service`): see
    /// the README for the answer accuracy and hand-off rate it gives there.
    /// </summary>
    public const double DefaultThreshold = 0.35;

    public double Threshold { get; set; } = DefaultThreshold;

    /// <summary>Questions a minute one address may ask without signing in.</summary>
    public int AnonymousPerMinute { get; set; } = 20;
}
