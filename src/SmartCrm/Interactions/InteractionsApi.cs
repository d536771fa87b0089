using System.ComponentModel.DataAnnotations;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Security;

namespace SmartCrm.Interactions;

public sealed record InteractionInput
{
    [Required] public long? CustomerId { get; init; }
    [Required] public Channel? Channel { get; init; }
    public Direction? Direction { get; init; }
    [Required, MaxLength(300)] public string? Subject { get; init; }
    [MaxLength(8000)] public string? Body { get; init; }
    public DateTime? OccurredAt { get; init; }
    [MaxLength(100)] public string? Agent { get; init; }
}

public static class InteractionsApi
{
    public static IEndpointRouteBuilder MapInteractionsApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        api.MapRecords("/interactions", new RecordRules<Interaction, InteractionInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.InteractionsWrite,
            Create = input => Apply(input, new Interaction { Subject = "" }, clock),
            Apply = (input, interaction) => Apply(input, interaction, clock),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            Search = (query, text, _) => query.Where(i => i.Subject.Contains(text)),
        });
        return api;
    }

    private static Interaction Apply(InteractionInput input, Interaction interaction, TimeProvider clock)
    {
        interaction.CustomerId = input.CustomerId!.Value;
        interaction.Channel = input.Channel!.Value;
        interaction.Direction = input.Direction ?? Direction.Inbound;
        interaction.Subject = input.Subject!.Trim();
        interaction.Body = Normalise.Text(input.Body);
        interaction.OccurredAt = input.OccurredAt?.ToUniversalTime() ?? (interaction.OccurredAt.Ticks > 0 ? interaction.OccurredAt : clock.GetUtcNow().UtcDateTime);
        interaction.Agent = Normalise.Text(input.Agent);
        return interaction;
    }
}
