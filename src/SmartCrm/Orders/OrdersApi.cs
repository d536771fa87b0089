using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Orders;

public sealed record OrderLineInput
{
    [Required] public long? ProductId { get; init; }
    [Range(1, 100_000)] public int Quantity { get; init; } = 1;
    [Range(typeof(decimal), "0", "10000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)] public decimal? UnitPrice { get; init; }
}

public sealed record OrderInput
{
    [Required] public long? CustomerId { get; init; }
    public DateTime? OrderedAt { get; init; }
    public OrderStatus? Status { get; init; }
    public SalesChannel? Channel { get; init; }
    [MaxLength(3), RegularExpression("^[A-Za-z]{3}$", ErrorMessage = "Use a three-letter ISO 4217 currency code.")] public string? Currency { get; init; }
    [Required, MinLength(1), MaxLength(500)] public List<OrderLineInput>? Lines { get; init; }
}

public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        api.MapRecords("/orders", new RecordRules<Order, OrderInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.OrdersWrite,
            Create = input => Apply(input, new Order(), clock),
            Apply = (input, order) => Apply(input, order, clock),
            Detail = query => query.Include(o => o.Lines),
            InSegment = (query, segment, db) => query.InSegment(db.Customers, segment, o => o.CustomerId),
            Check = async (input, db, cancellationToken) =>
            {
                var ids = input.Lines!.Select(l => l.ProductId!.Value).Distinct().ToList();
                var known = await db.Products.Where(p => ids.Contains(p.Id)).Select(p => new { p.Id, p.Price }).ToDictionaryAsync(p => p.Id, p => p.Price, cancellationToken);
                var errors = new Dictionary<string, string[]>();
                for (var i = 0; i < input.Lines!.Count; i++)
                {
                    if (!known.ContainsKey(input.Lines[i].ProductId!.Value)) errors[$"lines[{i}].productId"] = [$"No product with id {input.Lines[i].ProductId}."];
                }
                return await CustomerReference.CheckAsync(errors, input.CustomerId, db, cancellationToken);
            },
            // Lines without a unit price take the catalogue price.
            Prepare = async (input, db, cancellationToken) =>
            {
                var ids = input.Lines!.Where(l => l.UnitPrice is null).Select(l => l.ProductId!.Value).Distinct().ToList();
                if (ids.Count == 0) return input;
                var prices = await db.Products.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Price, cancellationToken);
                return input with { Lines = [.. input.Lines!.Select(l => l with { UnitPrice = l.UnitPrice ?? prices[l.ProductId!.Value] })] };
            },
        });
        return api;
    }

    private static Order Apply(OrderInput input, Order order, TimeProvider clock)
    {
        order.CustomerId = input.CustomerId!.Value;
        order.OrderedAt = (input.OrderedAt ?? order.OrderedAt) is { Ticks: > 0 } at ? at.ToUniversalTime() : clock.GetUtcNow().UtcDateTime;
        order.Status = input.Status ?? OrderStatus.Placed;
        order.Channel = input.Channel ?? SalesChannel.Web;
        order.Currency = (input.Currency ?? "USD").ToUpperInvariant();
        order.Lines.Clear();
        foreach (var line in input.Lines!)
        {
            order.Lines.Add(new OrderLine { ProductId = line.ProductId!.Value, Quantity = line.Quantity, UnitPrice = line.UnitPrice ?? 0 });
        }
        order.Total = order.Lines.Sum(l => l.UnitPrice * l.Quantity);
        return order;
    }
}
