namespace SmartCrm.Import;

internal sealed class RatingWriter(WriteContext context) : KindWriter(context)
{
    private readonly CustomerRefs _customers = new(context.Sql, context.Source);
    private readonly ProductRefs _products = new(context.Sql);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _customers.LoadAsync(cancellationToken);
        await _products.LoadAsync(cancellationToken);
    }

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (await CustomerAsync(_customers, findings, cancellationToken) is not { } customer) return Outcome.Rejected;
        var sku = Sku(Field("sku")!);
        if (!_products.BySku.TryGetValue(sku, out var product))
        {
            findings.Add(new Finding(Column("sku"), Field("sku"), ProblemAction.Rejected, $"no product with SKU '{sku}' (import the products first)"));
            return Outcome.Rejected;
        }
        if (Number(Field("score")) is not { } score)
        {
            findings.Add(new Finding(Column("score"), Field("score"), ProblemAction.Rejected, "the score is not a number"));
            return Outcome.Rejected;
        }
        await Sql.ExecuteAsync("INSERT INTO \"ratings\" (\"CustomerId\", \"ProductId\", \"Score\", \"RatedAt\") VALUES (@p0, @p1, @p2, @p3)", cancellationToken,
            customer, product.Id, score, Date(Field("ratedAt")) ?? Context.Now);
        return Outcome.Imported;
    }
}
