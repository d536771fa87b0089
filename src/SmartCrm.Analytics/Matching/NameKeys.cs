using System.Globalization;
using System.Text;

namespace SmartCrm.Analytics.Matching;

/// <summary>
/// Normal forms and blocking keys for personal and company names. Blocking keeps duplicate search linear: only records that share
/// a key are compared. Each name gets keys that survive the usual damage: word order (keys use the sorted words), a typo in one
/// word (a key per word pair built from prefixes, and one from phonetic codes).
/// </summary>
public static class NameKeys
{
    /// <summary>Lower case, accents removed, punctuation to spaces, single spaces: "  José  O'Neil-Smith " → "jose o neil smith".</summary>
    /// <param name="name">Any name; null gives an empty string.</param>
    public static string Fold(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "";
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var space = true;
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }
        if (builder.Length > 0 && builder[^1] == ' ') builder.Length--;
        return builder.ToString();
    }

    /// <summary>The folded name's words in ordinal order, joined by single spaces (word order no longer matters).</summary>
    /// <param name="folded">A name passed through <see cref="Fold"/>.</param>
    public static string Sorted(string folded)
    {
        ArgumentNullException.ThrowIfNull(folded);
        var tokens = folded.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(tokens, StringComparer.Ordinal);
        return string.Join(' ', tokens);
    }

    /// <summary>
    /// Blocking keys of a folded name, written to <paramref name="keys"/> (cleared first): for the first and last of the sorted words, a
    /// prefix key ("P:ann|smi") and a Soundex key ("S:A500|S530"), plus for names of one word (or of CJK characters) the word itself.
    /// Two spellings of one person share at least one key unless both words are damaged at their start.
    /// </summary>
    /// <param name="folded">A name passed through <see cref="Fold"/>.</param>
    /// <param name="keys">Receives the keys.</param>
    public static void Keys(string folded, List<string> keys)
    {
        ArgumentNullException.ThrowIfNull(folded);
        ArgumentNullException.ThrowIfNull(keys);
        keys.Clear();
        var tokens = folded.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0) return;
        Array.Sort(tokens, StringComparer.Ordinal);
        if (tokens.Length == 1)
        {
            keys.Add("W:" + tokens[0]);
            return;
        }
        // Given names and surnames: with middle names the outermost words after sorting are still the same pair for both spellings
        // often enough; every pair of words would multiply the comparisons.
        var first = tokens[0];
        var last = tokens[^1];
        keys.Add("P:" + Prefix(first) + "|" + Prefix(last));
        var s1 = Soundex(first);
        var s2 = Soundex(last);
        keys.Add(string.CompareOrdinal(s1, s2) <= 0 ? "S:" + s1 + "|" + s2 : "S:" + s2 + "|" + s1);
        // A typo can change the sort order of two words; the prefix of each word with the other's Soundex still meets.
        keys.Add("X:" + Prefix(first) + "|" + s2);
        keys.Add("X:" + Prefix(last) + "|" + s1);
    }

    /// <summary>American Soundex (letter and three digits); words without Latin letters give the word's first three characters.</summary>
    /// <param name="word">A folded word.</param>
    public static string Soundex(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        Span<char> code = stackalloc char[4];
        var length = 0;
        var previous = '\0';
        foreach (var c in word)
        {
            if (c is < 'a' or > 'z') continue;
            var digit = Digit(c);
            if (length == 0)
            {
                code[length++] = char.ToUpperInvariant(c);
                previous = digit;
                continue;
            }
            if (digit != '0' && digit != previous) code[length++] = digit;
            // h and w do not separate letters with the same code; vowels do.
            if (c is not ('h' or 'w')) previous = digit;
            if (length == 4) break;
        }
        if (length == 0) return word.Length <= 3 ? word : word[..3];
        while (length < 4) code[length++] = '0';
        return new string(code);
    }

    private static string Prefix(string word) => word.Length <= 3 ? word : word[..3];

    private static char Digit(char c) => c switch
    {
        'b' or 'f' or 'p' or 'v' => '1',
        'c' or 'g' or 'j' or 'k' or 'q' or 's' or 'x' or 'z' => '2',
        'd' or 't' => '3',
        'l' => '4',
        'm' or 'n' => '5',
        'r' => '6',
        _ => '0',
    };
}
