namespace SmartCrm.Triage;

public enum Mood { Negative, Neutral, Positive }

/// <summary>
/// Sentiment by a small lexicon of English and Chinese words (no model): the share of positive minus negative hits, with a
/// negation just before a word turning it round. Enough to tell an angry message from a thank-you; it does not read irony.
/// </summary>
public sealed record Sentiment(double Score, Mood Mood, IReadOnlyList<string> Words)
{
    private static readonly string[] NegativeWords =
    [
        "angry", "furious", "terrible", "awful", "horrible", "worst", "bad", "broken", "useless", "disappointed", "disappointing",
        "unacceptable", "ridiculous", "frustrated", "frustrating", "annoyed", "hate", "scam", "rude", "poor", "never again", "complain",
        "complaint", "fed up", "waste", "failed", "fails", "wrong", "lost", "stolen", "refund now", "still not",
        "生气", "愤怒", "糟糕", "太差", "很差", "垃圾", "失望", "不满", "投诉", "骗", "坏了", "没用", "浪费", "气死", "烦", "差劲", "无法接受", "还是不",
    ];

    private static readonly string[] PositiveWords =
    [
        "thank", "thanks", "great", "excellent", "happy", "love", "perfect", "helpful", "appreciate", "good", "awesome", "pleased", "resolved",
        "谢谢", "感谢", "满意", "很好", "不错", "好评", "喜欢", "完美", "棒", "解决了",
    ];

    private static readonly string[] Negations = ["not ", "no ", "never ", "n't ", "不", "没"];

    /// <summary>The sentiment of <paramref name="text"/>.</summary>
    public static Sentiment Of(string text)
    {
        var lower = (text ?? "").ToLowerInvariant();
        var words = new List<string>();
        double positive = 0, negative = 0;
        foreach (var word in NegativeWords)
        {
            if (Contains(lower, word)) { negative++; words.Add(word); }
        }
        foreach (var word in PositiveWords)
        {
            if (!Contains(lower, word)) continue;
            // "not good" and "不满意" are complaints, not praise.
            if (Negated(lower, word)) { negative++; words.Add("not " + word); }
            else { positive++; words.Add(word); }
        }
        var hits = positive + negative;
        var score = hits == 0 ? 0 : Math.Round((positive - negative) / hits, 3);
        var mood = score <= -0.2 && negative > 0 ? Mood.Negative : score >= 0.2 && positive > 0 ? Mood.Positive : Mood.Neutral;
        return new Sentiment(score, mood, words);
    }

    private static bool Contains(string text, string word)
    {
        if (!IsLatin(word)) return text.Contains(word, StringComparison.Ordinal);
        for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            // From the start of a word ("thank" also finds "thanks"), never inside one ("rude" is not in "crude").
            if (at == 0 || !char.IsLetter(text[at - 1])) return true;
        }
        return false;
    }

    private static bool Negated(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.Ordinal);
        if (at <= 0) return false;
        var before = text[Math.Max(0, at - 6)..at];
        return Negations.Any(n => before.EndsWith(n, StringComparison.Ordinal) || (!IsLatin(n) && before.EndsWith(n.Trim(), StringComparison.Ordinal)));
    }

    private static bool IsLatin(string word) => word.All(c => c < 0x2E80);
}
