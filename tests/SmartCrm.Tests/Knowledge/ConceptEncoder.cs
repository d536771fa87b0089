using SmartCrm.Knowledge;

namespace SmartCrm.Tests.Knowledge;

/// <summary>
/// A sentence-embedding model for tests: each dimension is a concept and a text's vector counts the words of each concept it
/// holds, so synonyms with no letters in common land near each other — what a real model does, on a scale a test can reason
/// about. (The real one, MiniLM, is measured on banking77 by `smartcrm eval service --embeddings`.)
/// </summary>
public static class ConceptEncoder
{
    private static readonly string[][] Concepts =
    [
        ["refund", "reimburse", "money", "repay", "退款"],
        ["parcel", "package", "delivery", "arrive", "arrives", "shipment", "courier"],
        ["password", "passcode", "login", "pin"],
        ["broken", "faulty", "dead", "defective", "cracked"],
    ];

    public static SentenceEmbeddings Model { get; } = new((texts, _) => texts.Select(Vector).ToArray(), "concepts");

    public static float[] Vector(string text)
    {
        var vector = new float[Concepts.Length + 1];
        // A small constant so a text of no concept is not the zero vector.
        vector[^1] = 0.1f;
        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '?', '!', '\n'], StringSplitOptions.RemoveEmptyEntries))
            for (var c = 0; c < Concepts.Length; c++)
                if (Concepts[c].Contains(word)) vector[c]++;
        return vector;
    }
}
