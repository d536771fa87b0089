using SmartCrm.Interactions;

namespace SmartCrm.Import;

internal sealed class InteractionWriter(WriteContext context) : KindWriter(context)
{
    private readonly CustomerRefs _customers = new(context.Sql, context.Source);

    public override Task StartAsync(CancellationToken cancellationToken) => _customers.LoadAsync(cancellationToken);

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (await CustomerAsync(_customers, findings, cancellationToken) is not { } customer) return Outcome.Rejected;
        await Sql.ExecuteAsync(
            "INSERT INTO \"interactions\" (\"CustomerId\", \"Channel\", \"Direction\", \"Subject\", \"Body\", \"OccurredAt\", \"Agent\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)", cancellationToken,
            customer, ParseEnum("channel", Channel.Web, findings).ToString(), ParseEnum("direction", Direction.Inbound, findings).ToString(),
            Cut("subject", Field("subject"), 300, findings), Cut("body", Field("body"), 8000, findings), Date(Field("occurredAt")) ?? Context.Now, Cut("agent", Field("agent"), 100, findings));
        return Outcome.Imported;
    }
}
