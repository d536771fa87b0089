namespace SmartCrm.Catalog;

/// <summary>A customer's rating of a product (e.g. 1–5 stars), the input of collaborative recommendation.</summary>
public sealed class Rating
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public long ProductId { get; set; }
    public double Score { get; set; }
    public DateTime RatedAt { get; set; }
}
