namespace SmartCrm.Knowledge;

/// <summary>The passage of an article nearest to a question, and how near (cosine of their TF-IDF vectors, 0 to 1).</summary>
public sealed record PassageMatch(long ArticleId, string Title, string Passage, double Similarity);
