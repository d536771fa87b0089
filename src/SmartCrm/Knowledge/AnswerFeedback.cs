using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Knowledge;

/// <summary>
/// An agent's mark on one of the assistant's answers: the question, the passage it answered with, and whether that helped.
/// The assistant learns from them (<see cref="AnswerLearning"/>).
/// </summary>
public sealed class AnswerFeedback
{
    public long Id { get; set; }
    public long ArticleId { get; set; }
    [MaxLength(2000)] public required string Question { get; set; }
    [MaxLength(8000)] public required string Passage { get; set; }
    public bool Helpful { get; set; }
    [MaxLength(100)] public required string GivenBy { get; set; }
    public DateTime GivenAt { get; set; }
}
