namespace SmartCrm.Analytics.Matching;

/// <summary>
/// Jaro–Winkler similarity (Winkler 1990): the Jaro score of matching characters and transpositions, raised for a common prefix
/// of up to four characters. Suited to short strings such as names, where typos are few and the start is usually right.
/// </summary>
public static class JaroWinkler
{
    /// <summary>Winkler's prefix scale; 0.1 is the usual value and the largest that keeps the score within 0..1.</summary>
    public const double PrefixScale = 0.1;

    /// <summary>Similarity in 0..1 (1 = equal). Two empty strings are equal; an empty and a non-empty one score 0.</summary>
    /// <param name="a">First string (compared ordinally; normalise case beforehand).</param>
    /// <param name="b">Second string.</param>
    public static double Similarity(ReadOnlySpan<char> a, ReadOnlySpan<char> b) => Similarity<char>(a, b);

    /// <summary>Similarity of two sequences of any symbols (e.g. UTF-8 bytes of folded names, which take half the memory of strings).</summary>
    /// <typeparam name="T">Symbol type.</typeparam>
    /// <param name="a">First sequence.</param>
    /// <param name="b">Second sequence.</param>
    public static double Similarity<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : IEquatable<T>
    {
        var jaro = Jaro(a, b);
        var prefix = 0;
        var limit = Math.Min(4, Math.Min(a.Length, b.Length));
        while (prefix < limit && a[prefix].Equals(b[prefix])) prefix++;
        return jaro + prefix * PrefixScale * (1 - jaro);
    }

    /// <summary>The Jaro similarity in 0..1, without the prefix bonus.</summary>
    /// <param name="a">First string.</param>
    /// <param name="b">Second string.</param>
    public static double Jaro(ReadOnlySpan<char> a, ReadOnlySpan<char> b) => Jaro<char>(a, b);

    /// <summary>The Jaro similarity of two sequences of any symbols.</summary>
    /// <typeparam name="T">Symbol type.</typeparam>
    /// <param name="a">First sequence.</param>
    /// <param name="b">Second sequence.</param>
    public static double Jaro<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : IEquatable<T>
    {
        if (a.Length == 0 && b.Length == 0) return 1;
        if (a.Length == 0 || b.Length == 0) return 0;
        if (a.SequenceEqual(b)) return 1;
        var window = Math.Max(0, Math.Max(a.Length, b.Length) / 2 - 1);
        // Names are short: flags on the stack, no allocation per comparison.
        Span<bool> matchedA = a.Length <= 256 ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> matchedB = b.Length <= 256 ? stackalloc bool[b.Length] : new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var from = Math.Max(0, i - window);
            var to = Math.Min(b.Length - 1, i + window);
            for (var j = from; j <= to; j++)
            {
                if (matchedB[j] || !a[i].Equals(b[j])) continue;
                matchedA[i] = true;
                matchedB[j] = true;
                matches++;
                break;
            }
        }
        if (matches == 0) return 0;
        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!matchedA[i]) continue;
            while (!matchedB[k]) k++;
            if (!a[i].Equals(b[k])) transpositions++;
            k++;
        }
        double m = matches;
        return (m / a.Length + m / b.Length + (m - transpositions / 2.0) / m) / 3.0;
    }
}
