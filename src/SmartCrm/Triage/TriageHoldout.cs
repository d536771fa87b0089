namespace SmartCrm.Triage;

/// <summary>
/// Which examples are held out to judge a new model: one in five, chosen by a hash of the text, so an example stays on its
/// side from one training to the next and no model is judged on what it learnt from.
/// </summary>
public static class TriageHoldout
{
    public static bool Contains(string text)
    {
        // FNV-1a over the characters: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in text.Trim()) hash = (hash ^ c) * 16777619u;
        return hash % 5 == 0;
    }
}
