using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Storage;

namespace SmartCrm.Knowledge;

/// <summary>
/// The index of the published articles, built once and kept until an article changes (on any node: the count and the latest
/// change time of the articles are compared, one small query, at most once a second). When the assistant's options name a
/// sentence-embedding model, it is loaded on first use and the passages' vectors are encoded with the index, so a question costs
/// only its own vector.
/// </summary>
public sealed class KnowledgeSearch(TimeProvider clock, IOptions<AssistantOptions> options, ILogger<KnowledgeSearch> logger) : IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Built? _built;
    private SentenceEmbeddings? _embeddings;

    private sealed record Built(int Count, DateTime LastChange, KnowledgeIndex Index, DateTime CheckedAt);

    public async Task<KnowledgeIndex> IndexAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var built = _built;
        if (built is not null && now - built.CheckedAt < CheckEvery) return built.Index;
        var published = db.Set<Article>().Where(a => a.Published);
        var count = await published.CountAsync(cancellationToken);
        var last = count == 0 ? DateTime.MinValue : await published.MaxAsync(a => a.UpdatedAt, cancellationToken);
        if (built is not null && built.Count == count && built.LastChange == last)
        {
            _built = built with { CheckedAt = now };
            return built.Index;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_built is { } again && again.Count == count && again.LastChange == last) return again.Index;
            var articles = await published.Select(a => new IndexedArticle(a.Id, a.Title, a.Body)).ToListAsync(cancellationToken);
            var embeddings = Embeddings();
            var index = embeddings is null
                ? KnowledgeIndex.Build(articles, cancellationToken: cancellationToken)
                : await Task.Run(() => KnowledgeIndex.Build(articles, embeddings, options.Value.EmbeddingWeight, cancellationToken), cancellationToken);
            _built = new Built(count, last, index, now);
            return index;
        }
        finally
        {
            _gate.Release();
        }
    }

    private SentenceEmbeddings? Embeddings()
    {
        if (_embeddings is not null || string.IsNullOrWhiteSpace(options.Value.Embeddings)) return _embeddings;
        _embeddings = SentenceEmbeddings.Load(options.Value.Embeddings);
        logger.LogInformation("Assistant compares passages by {Model} too (weight {Weight})", _embeddings.Name, options.Value.EmbeddingWeight);
        return _embeddings;
    }

    /// <summary>Forgets the index: the next question rebuilds it (an article was deleted, which the count alone may miss).</summary>
    public void Changed() => _built = null;

    public void Dispose() => _gate.Dispose();
}
