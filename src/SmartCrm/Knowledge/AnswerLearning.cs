using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Knowledge;

/// <summary>
/// What the assistant learns from agents' marks (<see cref="LearnedAnswers"/>), kept and rebuilt when a mark is added or the
/// articles change (checked at most once a second, one small query, so a mark made on another node counts within a second).
/// </summary>
public sealed class AnswerLearning(TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Learned? _learned;

    private sealed record Learned(KnowledgeIndex Index, int Count, long LastId, DateTime CheckedAt, LearnedAnswers Answers);

    /// <summary>
    /// The passage to answer <paramref name="question"/> with, given the index's own best match: the same when no mark is near.
    /// </summary>
    public async Task<PassageMatch?> AdjustAsync(CrmDb db, KnowledgeIndex index, string question, PassageMatch? best, CancellationToken cancellationToken)
    {
        var learned = await LearnedAsync(db, index, cancellationToken);
        return learned.Answers.Count == 0 ? best : learned.Answers.Adjust(index, question, best);
    }
    /// <summary>Stores an agent's mark; the next question learns from it on this node at once, on others within a second.</summary>
    public async Task<AnswerFeedback> RecordAsync(CrmDb db, long articleId, string question, string passage, bool helpful, string by, CancellationToken cancellationToken)
    {
        var feedback = new AnswerFeedback
        {
            ArticleId = articleId, Question = InputText.Cut(question.Trim(), 2000), Passage = InputText.Cut(passage.Trim(), 8000), Helpful = helpful,
            GivenBy = InputText.Cut(by, 100), GivenAt = clock.GetUtcNow().UtcDateTime,
        };
        db.AnswerFeedback.Add(feedback);
        await db.SaveChangesAsync(cancellationToken);
        _learned = null;
        return feedback;
    }

    private async Task<Learned> LearnedAsync(CrmDb db, KnowledgeIndex index, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var learned = _learned;
        if (learned is not null && ReferenceEquals(learned.Index, index) && now - learned.CheckedAt < CheckEvery) return learned;
        var count = await db.AnswerFeedback.CountAsync(cancellationToken);
        var lastId = count == 0 ? 0 : await db.AnswerFeedback.MaxAsync(f => f.Id, cancellationToken);
        if (learned is not null && ReferenceEquals(learned.Index, index) && learned.Count == count && learned.LastId == lastId)
        {
            _learned = learned with { CheckedAt = now };
            return learned;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var rows = await db.AnswerFeedback.Join(db.Articles.Where(a => a.Published), f => f.ArticleId, a => a.Id,
                (f, a) => new { f.Id, f.ArticleId, a.Title, a.Body, f.Question, f.Passage, f.Helpful }).OrderBy(r => r.Id).ToListAsync(cancellationToken);
            // A mark on a passage the article no longer has (it was edited since) teaches nothing about the article as it is.
            var marks = rows.Where(r => r.Body.Contains(r.Passage, StringComparison.Ordinal))
                .Select(r => new LearnedMark(r.ArticleId, r.Title, r.Question, r.Passage, r.Helpful)).ToList();
            learned = new Learned(index, count, lastId, now, LearnedAnswers.Build(marks));
            _learned = learned;
            return learned;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
