using SmartCrm.Analytics.Text;

namespace SmartCrm.Knowledge;

/// <summary>
/// The marked questions as TF-IDF vectors (word 1–2-grams and character 2–5-grams, as the index), and how they move a match:
/// a question near one marked helpful is answered from its passage, as near as it is to the marked question; a passage marked
/// not helpful for a question is lowered for questions near that one, by how near they are, so the next passage or a hand-off wins.
/// </summary>
public sealed class LearnedAnswers
{
    /// <summary>Below this a marked question is not "the same question": character n-grams make every pair of texts a little alike.</summary>
    public const double Near = 0.3;

    private readonly IReadOnlyList<LearnedMark> _marks;
    private readonly TfidfVectoriser? _words;
    private readonly TfidfVectoriser? _characters;
    private readonly CsrMatrix? _rows;

    private LearnedAnswers(IReadOnlyList<LearnedMark> marks, TfidfVectoriser? words, TfidfVectoriser? characters, CsrMatrix? rows)
    {
        _marks = marks;
        _words = words;
        _characters = characters;
        _rows = rows;
    }

    public int Count => _marks.Count;

    public static LearnedAnswers Build(IReadOnlyList<LearnedMark> marks)
    {
        if (marks.Count == 0) return new LearnedAnswers(marks, null, null, null);
        var questions = marks.Select(m => m.Question).ToList();
        var (words, wordRows) = TfidfVectoriser.FitTransform(questions, new Tokeniser(TermKind.Words, 1, 2));
        var (characters, characterRows) = TfidfVectoriser.FitTransform(questions, new Tokeniser(TermKind.CharactersWithinWords, 2, 5));
        return new LearnedAnswers(marks, words, characters, CsrMatrix.ConcatenateColumns([wordRows, characterRows]));
    }

    /// <summary>The passage to answer <paramref name="question"/> with, given the index's own best match: the same when no mark is near.</summary>
    public PassageMatch? Adjust(KnowledgeIndex index, string question, PassageMatch? best)
    {
        if (_rows is null || string.IsNullOrWhiteSpace(question)) return best;
        var near = Cosine.Similarities(_rows, CsrMatrix.ConcatenateColumns([_words!.Transform(question), _characters!.Transform(question)]).Row(0));
        double Lowered(PassageMatch match)
        {
            var similarity = match.Similarity;
            for (var i = 0; i < near.Length; i++)
            {
                var mark = _marks[i];
                if (!mark.Helpful && near[i] >= Near && mark.ArticleId == match.ArticleId && mark.Passage == match.Passage) similarity *= 1 - near[i];
            }
            return similarity;
        }

        var chosen = best;
        if (best is not null && Lowered(best) < best.Similarity)
        {
            // The best passage was marked unhelpful for a question like this one: the next passages compete on their own lowered scores.
            chosen = index.Nearest(question, 4).Select(m => m with { Similarity = Math.Round(Lowered(m), 4) }).MaxBy(m => m.Similarity);
        }
        for (var i = 0; i < near.Length; i++)
        {
            var mark = _marks[i];
            if (mark.Helpful && near[i] >= Near && near[i] > (chosen?.Similarity ?? 0))
                chosen = new PassageMatch(mark.ArticleId, mark.Title, mark.Passage, Math.Round(near[i], 4));
        }
        return chosen;
    }
}
