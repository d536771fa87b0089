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

    /// <summary>
    /// Path of SmartCrm.Embeddings.dll (built from src/SmartCrm.Embeddings): when set, passages and questions are also compared by
    /// sentence embeddings (MiniLM). Off unless configured: the program runs without the model.
    /// </summary>
    public string? Embeddings { get; set; }

    /// <summary>The embeddings' share of the similarity when they are on (see <see cref="KnowledgeIndex"/>).</summary>
    public double EmbeddingWeight { get; set; } = DefaultEmbeddingWeight;

    /// <summary>Chosen on banking77 with `smartcrm eval service --embeddings` (see ServiceEvaluation).</summary>
    public const double DefaultEmbeddingWeight = 0.5;

    /// <summary>Questions a minute one address may ask without signing in.</summary>
    public int AnonymousPerMinute { get; set; } = 20;
}
