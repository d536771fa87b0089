namespace SmartCrm.Import;

internal sealed class ContactWriter(WriteContext context) : KindWriter(context)
{
    private readonly CustomerRefs _customers = new(context.Sql, context.Source);

    public override Task StartAsync(CancellationToken cancellationToken) => _customers.LoadAsync(cancellationToken);

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (await CustomerAsync(_customers, findings, cancellationToken) is not { } customer) return Outcome.Rejected;
        await Sql.ExecuteAsync("INSERT INTO \"contacts\" (\"CustomerId\", \"Name\", \"Title\", \"Email\", \"Phone\") VALUES (@p0, @p1, @p2, @p3, @p4)", cancellationToken,
            customer, Cut("name", Field("name"), 200, findings), Cut("title", Field("title"), 100, findings), Cut("email", Field("email"), 254, findings), Cut("phone", Field("phone"), 40, findings));
        return Outcome.Imported;
    }
}
