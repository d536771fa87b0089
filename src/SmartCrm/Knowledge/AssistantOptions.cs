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

    /// <summary>
    /// Chosen on banking77 with `smartcrm eval service --embeddings` (MiniLM): at the hand-off rate TF-IDF has at 0.45 (21.5 %),
    /// answers were right 88.0 % of the time with TF-IDF, 95.2 % at weight 0.5, 95.9 % at 0.75, 95.7 % with embeddings alone.
    /// </summary>
    public const double DefaultEmbeddingWeight = 0.75;

    /// <summary>
    /// The hand-off threshold when embeddings are on: the blend has its own scale, so this is the threshold that hands off the
    /// same share of banking77's questions as <see cref="DefaultThreshold"/> does with TF-IDF alone (`eval service --embeddings`).
    /// </summary>
    public const double DefaultEmbeddingThreshold = 0.73;

    /// <summary>Below this blended similarity the assistant hands off, when embeddings are on.</summary>
    public double EmbeddingThreshold { get; set; } = DefaultEmbeddingThreshold;

    /// <summary>The threshold that applies to <paramref name="index"/>.</summary>
    public double ThresholdFor(KnowledgeIndex index) => index.HasEmbeddings ? EmbeddingThreshold : Threshold;

    /// <summary>Questions a minute one address may ask without signing in.</summary>
    public int AnonymousPerMinute { get; set; } = 20;
}
