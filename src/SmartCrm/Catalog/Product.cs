using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Catalog;

public enum ProductKind { Device, Accessory, ServicePlan }

public sealed class Product
{
    public long Id { get; set; }
    [MaxLength(40)] public required string Sku { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    public ProductKind Kind { get; set; }
    [MaxLength(100)] public string? Category { get; set; }
    public decimal Price { get; set; }
    [MaxLength(2000)] public string? Description { get; set; }
    public bool Active { get; set; } = true;
}
