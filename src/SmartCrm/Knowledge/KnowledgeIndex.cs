using SmartCrm.Analytics.Text;

namespace SmartCrm.Knowledge;

/// <summary>An article as the index reads it.</summary>
public sealed record IndexedArticle(long Id, string Title, string Body);

/// <summary>
/// The passages of the articles (paragraphs; a title alone counts as one) as TF-IDF vectors of word 1–2-grams and character
/// 2–5-grams, built once and kept: a question costs one vector and one pass over the stored rows. English and Chinese alike.
/// </summary>
public sealed class KnowledgeIndex
{
    private readonly TfidfVectoriser? _words;
    private readonly TfidfVectoriser? _characters;
    private readonly CsrMatrix? _rows;
    private readonly List<(long ArticleId, string Title, string Passage)> _passages;

    private KnowledgeIndex(TfidfVectoriser? words, TfidfVectoriser? characters, CsrMatrix? rows, List<(long, string, string)> passages)
    {
        _words = words;
        _characters = characters;
        _rows = rows;
        _passages = passages;
    }

    public int Passages => _passages.Count;

    public static KnowledgeIndex Build(IEnumerable<IndexedArticle> articles)
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
        if (texts.Count == 0) return new KnowledgeIndex(null, null, null, passages);
        var (words, wordRows) = TfidfVectoriser.FitTransform(texts, new Tokeniser(TermKind.Words, 1, 2));
        var (characters, characterRows) = TfidfVectoriser.FitTransform(texts, new Tokeniser(TermKind.CharactersWithinWords, 2, 5));
        return new KnowledgeIndex(words, characters, CsrMatrix.ConcatenateColumns([wordRows, characterRows]), passages);
    }

    /// <summary>The best passage for <paramref name="question"/>, or null when the index is empty.</summary>
    public PassageMatch? Best(string question) => Nearest(question, 1) is [var best, ..] ? best : null;

    /// <summary>The <paramref name="count"/> best passages for <paramref name="question"/>, one per article, best first.</summary>
    public IReadOnlyList<PassageMatch> Nearest(string question, int count)
    {
        if (_rows is null || _words is null || _characters is null || string.IsNullOrWhiteSpace(question)) return [];
        var query = CsrMatrix.ConcatenateColumns([_words.Transform(question), _characters.Transform(question)]);
        var similarities = Cosine.Similarities(_rows, query.Row(0));
        if (count == 1)
        {
            // The assistant's case: one pass, no sort.
            var best = 0;
            for (var i = 1; i < similarities.Length; i++) if (similarities[i] > similarities[best]) best = i;
            return [new PassageMatch(_passages[best].ArticleId, _passages[best].Title, _passages[best].Passage, Math.Round(similarities[best], 4))];
        }
        var result = new List<PassageMatch>();
        var seen = new HashSet<long>();
        foreach (var i in Enumerable.Range(0, similarities.Length).OrderByDescending(i => similarities[i]).ThenBy(i => i))
        {
            if (result.Count == count) break;
            var (articleId, title, passage) = _passages[i];
            if (seen.Add(articleId)) result.Add(new PassageMatch(articleId, title, passage, Math.Round(similarities[i], 4)));
        }
        return result;
    }

    private static List<string> Paragraphs(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => p.Length > 0).ToList();
}
