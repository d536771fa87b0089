using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Recommendations;

/// <summary>One piece of feedback on a recommendation, kept as it came (the training reads all of them).</summary>
public sealed class RecommendationFeedback
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public long ProductId { get; set; }
    public FeedbackKind Kind { get; set; }
    [MaxLength(100)] public required string By { get; set; }
    public DateTime At { get; set; }
}
