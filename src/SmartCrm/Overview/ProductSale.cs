namespace SmartCrm.Overview;

/// <summary>One order line sold (<see cref="ProductSales.Sold"/>): which product, to whom, when, how many and for how much.</summary>
public sealed class ProductSale
{
    public long ProductId { get; init; }
    public long CustomerId { get; init; }
    public DateTime OrderedAt { get; init; }
    public int Quantity { get; init; }
    public decimal Amount { get; init; }
}
