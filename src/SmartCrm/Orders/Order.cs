using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace SmartCrm.Orders;

public enum OrderStatus { Placed, Paid, Shipped, Delivered, Cancelled, Returned }

public enum SalesChannel { Web, Store, Phone, Partner }

public sealed class Order
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public DateTime OrderedAt { get; set; }
    public OrderStatus Status { get; set; }
    public SalesChannel Channel { get; set; }
    [MaxLength(3)] public string Currency { get; set; } = "USD";
    public decimal Total { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
}

public sealed class OrderLine
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public long ProductId { get; set; }
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
    [JsonIgnore] public Order? Order { get; set; }
}
