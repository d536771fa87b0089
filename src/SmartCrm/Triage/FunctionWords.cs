using System.Collections.Frozen;

namespace SmartCrm.Triage;

/// <summary>
/// Words that carry grammar rather than meaning ("does", "not", "and"; 的, 了, 吗). The classifier may weigh them (how a question is
/// asked says something about its category), but as the reason shown for a category they tell an agent nothing, so the terms
/// shown leave them out. English and Chinese. Not scikit-learn's stop list: that one also holds words a service desk needs
/// ("bill", "call", "fire", "system").
/// </summary>
public static class FunctionWords
{
    private static readonly FrozenSet<string> English = new[]
    {
        "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "if", "then", "than", "as", "because", "while", "although",
        "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "about", "over", "under", "after", "before",
        "up", "down", "out", "off", "through", "between", "against", "during", "without", "within", "via", "per",
        "i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself", "he", "him", "his", "she", "her", "hers",
        "it", "its", "itself", "we", "us", "our", "ours", "they", "them", "their", "theirs", "this", "that", "these", "those",
        "is", "am", "are", "was", "were", "be", "been", "being", "do", "does", "did", "doing", "done", "have", "has", "had",
        "having", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "ought",
        "not", "no", "nor", "never", "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "haven", "hasn", "hadn",
        "won", "wouldn", "shan", "shouldn", "cannot", "couldn", "mightn", "mustn", "ll", "ve", "re",
        "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "there", "here",
        "all", "any", "each", "every", "some", "such", "own", "same", "other", "more", "most", "very", "too", "just", "also",
        "only", "again", "once", "still", "even", "yes", "ok", "im", "ive", "id",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Particles, pronouns, auxiliaries, prepositions, conjunctions, negation and question words: each character alone.
    private static readonly FrozenSet<char> Chinese = "的了吗呢吧啊呀嘛是在我你您他她它们和与及或也都就还又不没有这那个么什怎为把被给对从到而但很太得地着过要会能可以之其此该".ToFrozenSet();

    /// <summary>
    /// Whether a shown term (a word, words joined by a space, or a piece of a word) is made of function words only: English words
    /// of the list, or Chinese characters of the list.
    /// </summary>
    public static bool Only(string term)
    {
        var any = false;
        foreach (var part in term.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            any = true;
            if (!IsFunction(part)) return false;
        }
        return any;
    }

    /// <summary>
    /// Whether a character n-gram as the tokeniser made it (a space marks a word's start or end) can only be a function word or a
    /// piece of one: " not " is the word, " doe" starts one, "oes " ends one, "oe" sits inside one. Such pieces say no more than
    /// the word they come from.
    /// </summary>
    public static bool OnlyPieceOf(string gram)
    {
        var core = gram.Trim();
        if (core.Length == 0) return true;
        if (core.All(IsChinese)) return core.All(Chinese.Contains);
        if (core.Contains(' ', StringComparison.Ordinal)) return Only(core);
        var lower = core.ToLowerInvariant();
        var starts = gram[0] == ' ';
        var ends = gram[^1] == ' ';
        if (starts && ends) return English.Contains(lower);
        foreach (var word in English)
        {
            if (starts ? word.StartsWith(lower, StringComparison.Ordinal) : ends ? word.EndsWith(lower, StringComparison.Ordinal) : word.Contains(lower, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static bool IsFunction(string word) =>
        word.All(IsChinese) ? word.All(Chinese.Contains) : English.Contains(word.ToLowerInvariant());

    private static bool IsChinese(char c) => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf';
}
