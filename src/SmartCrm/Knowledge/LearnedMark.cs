namespace SmartCrm.Knowledge;

/// <summary>An agent's mark as the assistant learns from it: a question, the article and passage it was answered with, helpful or not.</summary>
public sealed record LearnedMark(long ArticleId, string Title, string Question, string Passage, bool Helpful);
