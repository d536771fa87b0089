namespace SmartCrm.Knowledge;

/// <summary>Settings of the FAQ assistant (section "Assistant").</summary>
public sealed class AssistantOptions
{
    public const string Section = "Assistant";

    /// <summary>
    /// Below this similarity the assistant hands the question to a person. Chosen on banking77 (`smartcrm eval service`, one
    /// article per intent): 0.35 answered 94 % of the questions, 84 % of them right; 0.45 answers 78 %, 88 % right; 0.5 answers
    /// 68 %, 90 % right. A wrong answer costs a customer more than a hand-off does.
    /// </summary>
    public const double DefaultThreshold = 0.45;

    public double Threshold { get; set; } = DefaultThreshold;

    /// <summary>Questions a minute one address may ask without signing in.</summary>
    public int AnonymousPerMinute { get; set; } = 20;
}
