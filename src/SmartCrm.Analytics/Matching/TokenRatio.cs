namespace SmartCrm.Analytics.Matching;

/// <summary>
/// Token-based similarity in the manner of FuzzyWuzzy's <c>token_sort_ratio</c> and <c>token_set_ratio</c>, on a 0..1 scale:
/// word order does not matter ("Smith John" equals "John Smith"), and with the set ratio a missing middle name costs little.
/// </summary>
public static class TokenRatio
{
    /// <summary>1 − Levenshtein distance / length of the longer string, in 0..1.</summary>
    /// <param name="a">First string.</param>
    /// <param name="b">Second string.</param>
    public static double Ratio(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var longest = Math.Max(a.Length, b.Length);
        if (longest == 0) return 1;
        return 1.0 - (double)Levenshtein(a, b) / longest;
    }

    /// <summary>Ratio of the two strings with their words sorted: insensitive to word order.</summary>
    /// <param name="a">First string (normalise case beforehand).</param>
    /// <param name="b">Second string.</param>
    public static double SortRatio(string a, string b) => Ratio(SortedTokens(a), SortedTokens(b));

    /// <summary>
    /// Best ratio among the shared words alone and the shared words followed by each side's remaining words, as FuzzyWuzzy's
    /// token_set_ratio: one name that is a subset of the other ("Anna Smith" in "Anna Maria Smith") scores high.
    /// </summary>
    /// <param name="a">First string (normalise case beforehand).</param>
    /// <param name="b">Second string.</param>
    public static double SetRatio(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ta = new SortedSet<string>(a.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        var tb = new SortedSet<string>(b.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        var common = new SortedSet<string>(ta, StringComparer.Ordinal);
        common.IntersectWith(tb);
        ta.ExceptWith(common);
        tb.ExceptWith(common);
        var shared = string.Join(' ', common);
        var withA = (shared + " " + string.Join(' ', ta)).Trim();
        var withB = (shared + " " + string.Join(' ', tb)).Trim();
        if (common.Count > 0 && (ta.Count == 0 || tb.Count == 0)) return 1;
        return Math.Max(Ratio(withA, withB), Math.Max(common.Count == 0 ? 0 : Ratio(shared, withA), common.Count == 0 ? 0 : Ratio(shared, withB)));
    }

    /// <summary>Edit distance (insertions, deletions, substitutions cost 1) with one row of memory.</summary>
    /// <param name="a">First string.</param>
    /// <param name="b">Second string.</param>
    public static int Levenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length < b.Length)
        {
            var swap = a;
            a = b;
            b = swap;
        }
        if (b.Length == 0) return a.Length;
        Span<int> row = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) row[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                row[j] = Math.Min(Math.Min(above + 1, row[j - 1] + 1), diagonal + cost);
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private static string SortedTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(tokens, StringComparer.Ordinal);
        return string.Join(' ', tokens);
    }
}
