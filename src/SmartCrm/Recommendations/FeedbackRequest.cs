using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Recommendations;

/// <summary>Body of POST /customers/{id}/recommendations/feedback: which product, and shown, accepted, dismissed or bought.</summary>
public sealed record FeedbackRequest(long? ProductId, [property: MaxLength(20)] string? Kind);
