using SmartCrm.Catalog;

namespace SmartCrm.Import;

/// <summary>Products by SKU (with the mapping's prefix): a known SKU is updated, a new one created.</summary>
internal sealed class ProductWriter(WriteContext context) : KindWriter(context)
{
    private readonly ProductRefs _products = new(context.Sql);

    public override Task StartAsync(CancellationToken cancellationToken) => _products.LoadAsync(cancellationToken);

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        var sku = Sku(Field("sku")!);
        var name = Cut("name", Field("name"), 200, findings)!;
        var kind = ParseEnum("kind", ProductKind.Device, findings).ToString();
        var number = Number(Field("price")) ?? 0;
        if (number is < 0 or > MaxPrice)
        {
            findings.Add(new Finding(Column("price"), Field("price"), ProblemAction.Rejected, "a price is a number from 0 to 10,000,000"));
            return Outcome.Rejected;
        }
        var price = Math.Round((decimal)number, 2);
        var category = Cut("category", Field("category"), 100, findings);
        var description = Cut("description", Field("description"), 2000, findings);
        if (_products.BySku.TryGetValue(sku, out var existing))
        {
            await Sql.ExecuteAsync("UPDATE \"products\" SET \"Name\" = @p0, \"Kind\" = @p1, \"Category\" = @p2, \"Price\" = @p3, \"Description\" = @p4 WHERE \"Id\" = @p5",
                cancellationToken, name, kind, category, Sql.Money(price), description, existing.Id);
            _products.BySku[sku] = (existing.Id, price);
            return Outcome.Updated;
        }
        var id = await Sql.InsertAsync("INSERT INTO \"products\" (\"Sku\", \"Name\", \"Kind\", \"Category\", \"Price\", \"Description\", \"Active\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)",
            cancellationToken, sku, name, kind, category, Sql.Money(price), description, true);
        _products.BySku[sku] = (id, price);
        return Outcome.Imported;
    }
}
