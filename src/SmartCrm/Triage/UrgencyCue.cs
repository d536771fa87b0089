namespace SmartCrm.Triage;

/// <summary>
/// Words in a message that make it more urgent, each with the points it adds to the priority score: safety first (smoke,
/// fire), then a stopped service, explicit urgency, and a customer about to leave. English and Chinese.
/// </summary>
public sealed record UrgencyCue(string Phrase, int Points, string Why)
{
    public static readonly IReadOnlyList<UrgencyCue> All =
    [
        new("smoke", 40, "safety"), new("fire", 40, "safety"), new("burning", 40, "safety"), new("sparks", 40, "safety"),
        new("shock", 35, "safety"), new("leak", 30, "safety"), new("danger", 35, "safety"),
        new("冒烟", 40, "safety"), new("着火", 40, "safety"), new("起火", 40, "safety"), new("漏电", 40, "safety"), new("漏水", 30, "safety"), new("危险", 35, "safety"),
        new("not working", 20, "service down"), new("stopped working", 20, "service down"), new("doesn't work", 20, "service down"),
        new("does not work", 20, "service down"), new("won't start", 20, "service down"), new("down", 15, "service down"), new("outage", 25, "service down"),
        new("不能用", 20, "service down"), new("无法使用", 20, "service down"), new("坏了", 20, "service down"), new("停机", 25, "service down"), new("不工作", 20, "service down"),
        new("urgent", 25, "asked for urgency"), new("urgently", 25, "asked for urgency"), new("asap", 20, "asked for urgency"), new("immediately", 20, "asked for urgency"),
        new("emergency", 30, "asked for urgency"), new("right now", 15, "asked for urgency"), new("today", 10, "asked for urgency"),
        new("紧急", 25, "asked for urgency"), new("马上", 20, "asked for urgency"), new("立即", 20, "asked for urgency"), new("尽快", 15, "asked for urgency"), new("急", 15, "asked for urgency"),
        new("cancel", 15, "may leave"), new("lawyer", 25, "may leave"), new("chargeback", 20, "may leave"), new("never again", 15, "may leave"),
        new("取消", 15, "may leave"), new("退订", 15, "may leave"), new("律师", 25, "may leave"), new("起诉", 25, "may leave"),
    ];

    /// <summary>The cues found in <paramref name="text"/>, each once, strongest first.</summary>
    public static IReadOnlyList<UrgencyCue> In(string text)
    {
        var lower = (text ?? "").ToLowerInvariant();
        return All.Where(c => Found(lower, c.Phrase)).OrderByDescending(c => c.Points).ToList();
    }

    private static bool Found(string text, string phrase)
    {
        if (phrase.Any(c => c >= 0x2E80)) return text.Contains(phrase, StringComparison.Ordinal);
        for (var at = text.IndexOf(phrase, StringComparison.Ordinal); at >= 0; at = text.IndexOf(phrase, at + 1, StringComparison.Ordinal))
        {
            var end = at + phrase.Length;
            // Whole words: "down" is not in "download", "fire" is not in "firewall".
            if ((at == 0 || !char.IsLetter(text[at - 1])) && (end == text.Length || !char.IsLetter(text[end]))) return true;
        }
        return false;
    }
}
