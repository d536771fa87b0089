using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Insights;

/// <summary>
/// One customer segment of the active segmentation (k-means on value and device-usage features, k by silhouette): its size
/// and profile. Customers carry their segment's <see cref="Number"/>.
/// </summary>
public sealed class Segment
{
    public long Id { get; set; }
    public int Number { get; set; }
    public int ModelVersion { get; set; }
    public int Size { get; set; }
    public double AverageSpend { get; set; }
    public double AverageRecencyDays { get; set; }
    public double DeviceShare { get; set; }
    public double AverageChurn { get; set; }

    /// <summary>The most bought products of the segment, comma separated.</summary>
    [MaxLength(300)] public string? TypicalProducts { get; set; }

    /// <summary>What sets it apart: the features furthest from the average, as JSON [{"feature","z"}].</summary>
    public required string Distinctive { get; set; }
}
