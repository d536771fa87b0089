using System.ComponentModel.DataAnnotations;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Sales;

public sealed record OpportunityInput
{
    [Required] public long? CustomerId { get; init; }
    [Required, MaxLength(200)] public string? Title { get; init; }
    public Stage? Stage { get; init; }
    [Range(typeof(decimal), "0", "1000000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)] public decimal? Amount { get; init; }
    public DateTime? ExpectedClose { get; init; }
    [MaxLength(100)] public string? Owner { get; init; }

    public void ApplyTo(Opportunity opportunity, TimeProvider clock)
    {
        opportunity.CustomerId = CustomerId!.Value;
        opportunity.Title = Title!.Trim();
        opportunity.Stage = Stage ?? Sales.Stage.Lead;
        opportunity.Amount = Amount ?? 0;
        opportunity.ExpectedClose = ExpectedClose?.ToUniversalTime() ?? clock.GetUtcNow().UtcDateTime.Date.AddDays(30);
        opportunity.Owner = Normalise.Text(Owner);
    }
}

public static class SalesApi
{
    public static IEndpointRouteBuilder MapSalesApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        api.MapRecords("/opportunities", new RecordRules<Opportunity, OpportunityInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.SalesWrite,
            Create = input => { var o = new Opportunity { Title = "" }; input.ApplyTo(o, clock); return o; },
            Apply = (input, opportunity) => input.ApplyTo(opportunity, clock),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            Search = (query, text, _) => query.Where(o => o.Title.Contains(text)),
        });
        return api;
    }
}
