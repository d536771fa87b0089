using System.Buffers;
using System.Numerics.Tensors;
using SmartCrm.Analytics.Text;

namespace SmartCrm.Knowledge;

/// <summary>An article as the index reads it.</summary>
public sealed record IndexedArticle(long Id, string Title, string Body);

/// <summary>
/// The passages of the articles (paragraphs; a title alone counts as one) as TF-IDF vectors of word 1–2-grams and character
/// 2–5-grams, built once and kept. The vectors are stored by term (an inverted index) with each passage's length worked out
/// once, so a question costs its own terms' postings instead of a pass over every stored value: over 10,000 passages that is
/// the difference between about 40 ms and well under a millisecond (bench `assistant`), with the same similarities to the last
/// bit. With a sentence-embedding model, each passage also has its vector (encoded in batches when the index is built) and the
/// similarity is a blend of the two cosines.
/// </summary>
public sealed class KnowledgeIndex
{
    private readonly TfidfVectoriser? _words;
    private readonly TfidfVectoriser? _characters;
    private readonly List<(long ArticleId, string Title, string Passage)> _passages;
    // Postings: for each term (column), the passages holding it and its value there.
    private readonly int[] _postingStarts;
    private readonly int[] _postingRows;
    private readonly float[] _postingValues;
    private readonly double[] _norms;
    private readonly SentenceEmbeddings? _embeddings;
    private readonly float[] _vectors;
    private readonly int _dimension;

    private KnowledgeIndex(TfidfVectoriser? words, TfidfVectoriser? characters, CsrMatrix? rows, List<(long, string, string)> passages,
        SentenceEmbeddings? embeddings, float[][]? vectors, double embeddingWeight)
    {
        _words = words;
        _characters = characters;
        _passages = passages;
        (_postingStarts, _postingRows, _postingValues, _norms) = rows is null ? ([0], [], [], []) : Invert(rows);
        if (embeddings is not null && vectors is { Length: > 0 })
        {
            _embeddings = embeddings;
            _dimension = vectors[0].Length;
            _vectors = new float[vectors.Length * _dimension];
            for (var i = 0; i < vectors.Length; i++) vectors[i].CopyTo(_vectors, i * _dimension);
            EmbeddingWeight = embeddingWeight;
        }
        else
        {
            _vectors = [];
        }
    }

    public int Passages => _passages.Count;

    /// <summary>Whether passages carry sentence embeddings.</summary>
    public bool HasEmbeddings => _embeddings is not null;

    /// <summary>The embeddings' share of the similarity (0: TF-IDF alone, 1: embeddings alone).</summary>
    public double EmbeddingWeight { get; }

    /// <summary>
    /// Indexes <paramref name="articles"/>; with <paramref name="embeddings"/>, the similarity is
    /// (1 − <paramref name="embeddingWeight"/>) × TF-IDF cosine + <paramref name="embeddingWeight"/> × embedding cosine.
    /// </summary>
    public static KnowledgeIndex Build(IEnumerable<IndexedArticle> articles, SentenceEmbeddings? embeddings = null, double embeddingWeight = 0.5, CancellationToken cancellationToken = default)
    {
        var passages = new List<(long, string, string)>();
        var texts = new List<string>();
        foreach (var article in articles)
        {
            var paragraphs = Paragraphs(article.Body);
            if (paragraphs.Count == 0) paragraphs = [article.Title];
            foreach (var paragraph in paragraphs)
            {
                passages.Add((article.Id, article.Title, paragraph));
                // The title belongs to every passage of its article: "How to reset a password" helps match a terse paragraph.
                texts.Add(article.Title + "\n" + paragraph);
            }
        }
        if (texts.Count == 0) return new KnowledgeIndex(null, null, null, passages, null, null, 0);
        var (words, wordRows) = TfidfVectoriser.FitTransform(texts, new Tokeniser(TermKind.Words, 1, 2));
        var (characters, characterRows) = TfidfVectoriser.FitTransform(texts, new Tokeniser(TermKind.CharactersWithinWords, 2, 5));
        // The model reads the paragraph alone: its 256-token window is better spent on the passage, and the same paragraph under
        // another title is the same vector (one cache entry).
        var vectors = embeddings?.Encode(passages.Select(p => p.Item3).ToList(), cancellationToken);
        return new KnowledgeIndex(words, characters, CsrMatrix.ConcatenateColumns([wordRows, characterRows]), passages, embeddings, vectors, embeddingWeight);
    }

    /// <summary>The best passage for <paramref name="question"/>, or null when the index is empty.</summary>
    public PassageMatch? Best(string question) => Nearest(question, 1) is [var best, ..] ? best : null;

    /// <summary>The <paramref name="count"/> best passages for <paramref name="question"/>, one per article, best first.</summary>
    public IReadOnlyList<PassageMatch> Nearest(string question, int count)
    {
        if (_words is null || string.IsNullOrWhiteSpace(question)) return [];
        var vector = _embeddings?.Encode(question);
        var scores = ArrayPool<double>.Shared.Rent(_passages.Count);
        try
        {
            var similarities = scores.AsSpan(0, _passages.Count);
            Similarities(question, vector, similarities);
            if (count == 1)
            {
                // The assistant's case: one pass, no sort.
                var best = 0;
                for (var i = 1; i < similarities.Length; i++) if (similarities[i] > similarities[best]) best = i;
                return [Match(best, similarities[best])];
            }
            var result = new List<PassageMatch>();
            var seen = new HashSet<long>();
            var order = new int[similarities.Length];
            for (var i = 0; i < order.Length; i++) order[i] = i;
            var keys = similarities.ToArray();
            foreach (var i in order.OrderByDescending(i => keys[i]).ThenBy(i => i))
            {
                if (result.Count == count) break;
                if (seen.Add(_passages[i].ArticleId)) result.Add(Match(i, keys[i]));
            }
            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
        }
    }

    /// <summary>The passage at <paramref name="passage"/> as an answer of similarity <paramref name="similarity"/>.</summary>
    public PassageMatch Match(int passage, double similarity) =>
        new(_passages[passage].ArticleId, _passages[passage].Title, _passages[passage].Passage, Math.Round(similarity, 4));

    /// <summary>The blended similarity of every passage to the question (and its vector, when the index has embeddings).</summary>
    public void Similarities(string question, float[]? questionVector, Span<double> into)
    {
        TextSimilarities(question, into);
        if (_embeddings is null || questionVector is null) return;
        var text = 1 - EmbeddingWeight;
        for (var r = 0; r < into.Length; r++) into[r] = text * into[r] + EmbeddingWeight * EmbeddingSimilarity(r, questionVector);
    }

    /// <summary>The TF-IDF cosine of every passage to <paramref name="question"/>.</summary>
    public void TextSimilarities(string question, Span<double> into)
    {
        into.Clear();
        if (_words is null || _characters is null) return;
        var query = CsrMatrix.ConcatenateColumns([_words.Transform(question), _characters.Transform(question)]).Row(0);
        var queryNorm = query.Norm();
        if (queryNorm == 0) return;
        // Terms in increasing column order, so each passage's sum is added up in the same order as a row-by-row dot product.
        for (var p = 0; p < query.Count; p++)
        {
            var column = query.Indices[p];
            var value = query.Values[p];
            for (var k = _postingStarts[column]; k < _postingStarts[column + 1]; k++) into[_postingRows[k]] += _postingValues[k] * (double)value;
        }
        for (var r = 0; r < into.Length; r++) into[r] = _norms[r] > 0 ? into[r] / (_norms[r] * queryNorm) : 0;
    }

    /// <summary>The cosine of passage <paramref name="passage"/>'s embedding with a unit-length <paramref name="questionVector"/>.</summary>
    public double EmbeddingSimilarity(int passage, float[] questionVector) =>
        _dimension == 0 ? 0 : TensorPrimitives.Dot(_vectors.AsSpan(passage * _dimension, _dimension), questionVector);

    private static (int[] Starts, int[] Rows, float[] Values, double[] Norms) Invert(CsrMatrix rows)
    {
        var starts = new int[rows.Columns + 1];
        foreach (var column in rows.Indices) starts[column + 1]++;
        for (var c = 0; c < rows.Columns; c++) starts[c + 1] += starts[c];
        var next = starts[..^1];
        var postingRows = new int[rows.NonZeros];
        var values = new float[rows.NonZeros];
        var norms = new double[rows.Rows];
        for (var r = 0; r < rows.Rows; r++)
        {
            var row = rows.Row(r);
            norms[r] = row.Norm();
            for (var p = 0; p < row.Count; p++)
            {
                var at = next[row.Indices[p]]++;
                postingRows[at] = r;
                values[at] = row.Values[p];
            }
        }
        return (starts, postingRows, values, norms);
    }

    private static List<string> Paragraphs(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => p.Length > 0).ToList();
}
