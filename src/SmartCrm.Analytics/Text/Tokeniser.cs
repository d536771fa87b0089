using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;

namespace SmartCrm.Analytics.Text;

/// <summary>What a <see cref="Tokeniser"/> emits.</summary>
public enum TermKind
{
    /// <summary>
    /// Word n-grams: runs of two or more letters or digits (scikit-learn's token pattern <c>\b\w\w+\b</c>), lower-cased;
    /// CJK ideographs, kana and hangul count as one-character words, so n-grams of 1 and 2 give Chinese the character
    /// unigrams and bigrams that stand in for a dictionary. N-grams join words with a space.
    /// </summary>
    Words,

    /// <summary>
    /// Character n-grams inside words padded with a space, as scikit-learn's <c>analyzer="char_wb"</c>; text without
    /// spaces (Chinese) is one long word, so it yields character n-grams across the sentence.
    /// </summary>
    CharactersWithinWords,

    /// <summary>Character n-grams over the whole text, spaces included, as scikit-learn's <c>analyzer="char"</c>.</summary>
    Characters,
}

/// <summary>Receives the terms of a text one at a time, without a string per term.</summary>
internal interface ITermSink
{
    void Add(ReadOnlySpan<char> term);
}

/// <summary>
/// Splits text into terms for TF-IDF: word n-grams or character n-grams, lower-cased, for English and Chinese alike
/// (no dictionary: Chinese is covered by character n-grams). The output matches scikit-learn's analyzers on text
/// in the Basic Multilingual Plane.
/// </summary>
public sealed class Tokeniser
{
    /// <summary>A tokeniser for <paramref name="kind"/> terms of <paramref name="minN"/> to <paramref name="maxN"/> words or characters.</summary>
    public Tokeniser(TermKind kind, int minN = 1, int maxN = 1, bool lowercase = true)
    {
        if (minN < 1 || maxN < minN) throw new ArgumentException($"Tokeniser: n-gram range ({minN}, {maxN}) must satisfy 1 ≤ min ≤ max.", nameof(minN));
        Kind = kind;
        MinN = minN;
        MaxN = maxN;
        Lowercase = lowercase;
    }

    /// <summary>The kind of terms.</summary>
    public TermKind Kind { get; }

    /// <summary>Shortest n-gram.</summary>
    public int MinN { get; }

    /// <summary>Longest n-gram.</summary>
    public int MaxN { get; }

    /// <summary>Whether text is lower-cased first.</summary>
    public bool Lowercase { get; }

    /// <summary>The terms of <paramref name="text"/>, in order, repeats kept.</summary>
    public IReadOnlyList<string> Tokenise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sink = new ListSink { Terms = [] };
        Emit(text, ref sink);
        return sink.Terms;
    }

    private struct ListSink : ITermSink
    {
        public List<string> Terms;

        public readonly void Add(ReadOnlySpan<char> term) => Terms.Add(term.ToString());
    }

    /// <summary>Feeds every term of <paramref name="text"/> to <paramref name="sink"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Emit<TSink>(string text, ref TSink sink) where TSink : struct, ITermSink
    {
        var buffer = new StringBuilder(text.Length + 2);
        foreach (var c in text) buffer.Append(Lowercase ? char.ToLowerInvariant(c) : c);
        var chars = buffer.ToString().AsSpan();
        switch (Kind)
        {
            case TermKind.Words: EmitWords(chars, ref sink); break;
            case TermKind.CharactersWithinWords: EmitCharactersWithinWords(chars, ref sink); break;
            default: EmitCharacters(chars, ref sink); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitWords<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITermSink
    {
        // Word spans (start, length) first; n-grams are then contiguous runs of them.
        var words = new List<(int Start, int Length)>();
        var i = 0;
        while (i < text.Length)
        {
            if (IsCjk(text[i])) { words.Add((i, 1)); i++; continue; }
            if (!IsWordChar(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && IsWordChar(text[i]) && !IsCjk(text[i])) i++;
            if (i - start >= 2) words.Add((start, i - start));
        }
        Span<char> gram = stackalloc char[256];
        for (var n = MinN; n <= MaxN; n++)
        {
            for (var w = 0; w + n <= words.Count; w++)
            {
                if (n == 1) { sink.Add(text.Slice(words[w].Start, words[w].Length)); continue; }
                var length = n - 1;
                for (var j = 0; j < n; j++) length += words[w + j].Length;
                var target = length <= gram.Length ? gram[..length] : new char[length];
                var at = 0;
                for (var j = 0; j < n; j++)
                {
                    if (j > 0) target[at++] = ' ';
                    text.Slice(words[w + j].Start, words[w + j].Length).CopyTo(target[at..]);
                    at += words[w + j].Length;
                }
                sink.Add(target);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitCharactersWithinWords<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITermSink
    {
        var padded = new char[text.Length + 2];
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            var length = i - start + 2;
            padded[0] = ' ';
            text[start..i].CopyTo(padded.AsSpan(1));
            padded[length - 1] = ' ';
            var word = padded.AsSpan(0, length);
            for (var n = MinN; n <= MaxN; n++)
            {
                // As scikit-learn: a word shorter than n is emitted whole, once, and longer n are skipped.
                var offset = 0;
                sink.Add(word[..Math.Min(n, length)]);
                while (offset + n < length)
                {
                    offset++;
                    sink.Add(word.Slice(offset, n));
                }
                if (offset == 0) break;
            }
        }
    }

    private void EmitCharacters<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITermSink
    {
        // scikit-learn collapses runs of white space to one space before taking character n-grams.
        var normal = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]))
            {
                while (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])) i++;
                normal.Append(' ');
            }
            else normal.Append(text[i]);
        }
        var chars = normal.ToString().AsSpan();
        for (var n = MinN; n <= MaxN; n++)
            for (var i = 0; i + n <= chars.Length; i++) sink.Add(chars.Slice(i, n));
    }

    /// <summary>Python's <c>\w</c>: letters, digits, connector punctuation (underscore) and combining marks.</summary>
    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.LetterNumber => true,
        _ => false,
    };

    /// <summary>CJK ideographs, kana and hangul syllables: scripts written without spaces between words.</summary>
    internal static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' // CJK unified ideographs
            or >= '\u3400' and <= '\u4DBF' // extension A
            or >= '\uF900' and <= '\uFAFF' // compatibility ideographs
            or >= '\u3040' and <= '\u30FF' // hiragana, katakana
            or >= '\uAC00' and <= '\uD7AF'; // hangul syllables
}
