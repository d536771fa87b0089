using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Catalog;

public sealed record ProductInput
{
    [Required, MaxLength(40)] public string? Sku { get; init; }
    [Required, MaxLength(200)] public string? Name { get; init; }
    public ProductKind? Kind { get; init; }
    [MaxLength(100)] public string? Category { get; init; }
    [Range(typeof(decimal), "0", "10000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)] public decimal? Price { get; init; }
    [MaxLength(2000)] public string? Description { get; init; }
    public bool? Active { get; init; }

    public void ApplyTo(Product product)
    {
        product.Sku = Sku!.Trim().ToUpperInvariant();
        product.Name = Name!.Trim();
        product.Kind = Kind ?? ProductKind.Device;
        product.Category = Normalise.Text(Category);
        product.Price = Price ?? 0;
        product.Description = Normalise.Text(Description);
        product.Active = Active ?? true;
    }
}

public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder api)
    {
        api.MapRecords("/products", new RecordRules<Product, ProductInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.CatalogWrite,
            Create = input => { var p = new Product { Sku = "", Name = "" }; input.ApplyTo(p); return p; },
            Apply = (input, product) => input.ApplyTo(product),
            Search = (query, text, _) => query.Where(p => p.Name.Contains(text) || p.Sku.Contains(text.ToUpperInvariant())),
            BeforeCreate = async (input, _, db, cancellationToken) =>
            {
                var sku = input.Sku!.Trim().ToUpperInvariant();
                var existing = await db.Products.Where(p => p.Sku == sku).Select(p => (long?)p.Id).FirstOrDefaultAsync(cancellationToken);
                return existing is null ? null : TypedResults.Problem(title: "A product with this SKU exists", detail: $"Product {existing} has SKU {sku}.",
                    statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["existingId"] = existing, ["field"] = "sku" });
            },
        });
        return api;
    }
}
