using System.Globalization;

namespace SmartCrm.Import;

internal enum Outcome { Imported, Updated, Merged, Rejected }

internal sealed record WriteContext(ImportSql Sql, ImportPlan? Plan, ImportMapping Mapping, ImportRun Run, string Source, string Actor, DateTime Now, Dictionary<string, long> Steps);

/// <summary>Writes the cleaned rows of one kind of record.</summary>
internal abstract class KindWriter(WriteContext context)
{
    protected WriteContext Context { get; } = context;
    protected ImportSql Sql => Context.Sql;
    private string?[] _values = [];

    public static KindWriter For(ImportKind kind, WriteContext context) => kind switch
    {
        ImportKind.Customers => new CustomerWriter(context),
        ImportKind.Contacts => new ContactWriter(context),
        ImportKind.Products => new ProductWriter(context),
        ImportKind.Orders => new OrderWriter(context),
        ImportKind.Interactions => new InteractionWriter(context),
        ImportKind.Ratings => new RatingWriter(context),
        ImportKind.Baskets => new BasketWriter(context),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind of import."),
    };

    public virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<Outcome> WriteAsync(long line, string?[] values, List<Finding> findings, CancellationToken cancellationToken)
    {
        _values = values;
        return WriteRowAsync(line, findings, cancellationToken);
    }

    protected abstract Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken);

    public virtual Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A field's cleaned value, or the mapping's default for it.</summary>
    protected IReadOnlyList<string?> Values => _values;

    protected string? Field(string field) =>
        Context.Plan?.SlotOf(field) is { } slot ? _values[slot] ?? Default(field) : Default(field);

    private string? Default(string field) => Context.Mapping.Defaults.TryGetValue(field, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    protected string Column(string field) => Context.Plan?.SlotOf(field) is { } slot ? Context.Plan.ColumnOf(slot) : field;

    protected string? Cut(string field, string? value, int max, List<Finding> findings)
    {
        if (value is null || value.Length <= max) return value;
        findings.Add(new Finding(Column(field), value, ProblemAction.Altered, $"longer than {max} characters; cut"));
        return Records.InputText.Cut(value, max);
    }

    /// <summary>A cleaned date (ISO 8601); a mapping's default is not cleaned, so one that is no date counts as none.</summary>
    protected static DateTime? Date(string? iso) =>
        iso is not null && DateTime.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date) ? date : null;

    protected static double? Number(string? value) => value is null ? null : Cleaning.Number(value);

    /// <summary>The catalogue's and the order lines' highest price, as in the API.</summary>
    protected const double MaxPrice = 10_000_000;

    protected TEnum ParseEnum<TEnum>(string field, TEnum fallback, List<Finding> findings) where TEnum : struct, Enum
    {
        var value = Field(field);
        if (value is null) return fallback;
        if (Enum.TryParse<TEnum>(value.Replace(" ", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
        findings.Add(new Finding(Column(field), value, ProblemAction.Altered, $"not one of {string.Join(", ", Enum.GetNames<TEnum>())}; {fallback} used"));
        return fallback;
    }

    protected string Sku(string raw) => Truncate((Context.Mapping.SkuPrefix ?? "") + raw.Trim(), 40);

    protected static string Truncate(string value, int max) => Records.InputText.Cut(value, max);

    /// <summary>Customers of this source by their external id; by email when the reference is an email address.</summary>
    protected sealed class CustomerRefs(ImportSql sql, string source)
    {
        private readonly Dictionary<string, long> _byExternalId = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long?> _byEmail = new(StringComparer.Ordinal);

        public async Task LoadAsync(CancellationToken cancellationToken)
        {
            await using var reader = await sql.ReadAsync("SELECT \"ExternalId\", \"CustomerId\" FROM \"customer_sources\" WHERE \"System\" = @p0", cancellationToken, source);
            while (await reader.ReadAsync(cancellationToken)) _byExternalId[reader.GetString(0)] = reader.GetInt64(1);
        }

        public async Task<long?> FindAsync(string reference, CancellationToken cancellationToken)
        {
            if (_byExternalId.TryGetValue(reference, out var id)) return id;
            if (!reference.Contains('@', StringComparison.Ordinal)) return null;
            var email = reference.Trim().ToLowerInvariant();
            if (!_byEmail.TryGetValue(email, out var found))
            {
                found = await sql.ScalarAsync("SELECT \"Id\" FROM \"customers\" WHERE \"Email\" = @p0 LIMIT 1", cancellationToken, email) is { } value and not DBNull
                    ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
                _byEmail[email] = found;
            }
            return found;
        }

        public void Add(string externalId, long customerId) => _byExternalId[externalId] = customerId;
    }

    protected async Task<long?> CustomerAsync(CustomerRefs refs, List<Finding> findings, CancellationToken cancellationToken)
    {
        var reference = Field("customer")!;
        if (await refs.FindAsync(reference, cancellationToken) is { } id) return id;
        findings.Add(new Finding(Column("customer"), reference, ProblemAction.Rejected, $"no customer with external id '{reference}' in source '{Context.Source}' (import the customers first)"));
        return null;
    }

    /// <summary>Products by SKU, with their prices.</summary>
    protected sealed class ProductRefs(ImportSql sql)
    {
        public Dictionary<string, (long Id, decimal Price)> BySku { get; } = new(StringComparer.Ordinal);

        public async Task LoadAsync(CancellationToken cancellationToken)
        {
            await using var reader = await sql.ReadAsync("SELECT \"Sku\", \"Id\", \"Price\" FROM \"products\"", cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) BySku[reader.GetString(0)] = (reader.GetInt64(1), Convert.ToDecimal(reader.GetValue(2), CultureInfo.InvariantCulture));
        }
    }
}
