using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Recommendations;

/// <summary>
/// One stored recommendation of the active "recommendations" model version: a product for a customer at a rank, with
/// what the reason is made of (its words are put together when read, in the reader's language). Never computed per request.
/// </summary>
public sealed class Recommendation
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public long ProductId { get; set; }

    /// <summary>1 is the best.</summary>
    public int Rank { get; set; }
    public double Score { get; set; }

    /// <summary>"similar": customers who chose what this one chose also chose it (implicit ALS); "device": goes with a device they own.</summary>
    [MaxLength(20)] public required string Source { get; set; }

    /// <summary>The product the reason names: the owned one most often chosen with it, or the device it goes with.</summary>
    public long? BecauseProductId { get; set; }

    /// <summary>"similar": the share of the customers who chose <see cref="BecauseProductId"/> who also chose this one.</summary>
    public double? Share { get; set; }

    /// <summary>"device": days since the customer last bought this accessory (null: never).</summary>
    public int? DaysSinceBought { get; set; }
    public int ModelVersion { get; set; }
    public DateTime ScoredAt { get; set; }
}
