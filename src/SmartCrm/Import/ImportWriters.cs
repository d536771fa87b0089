using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmartCrm.Catalog;
using SmartCrm.Customers;
using SmartCrm.Interactions;
using SmartCrm.Orders;

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

/// <summary>
/// Customers: a known external id updates its customer; otherwise the row is matched against every customer (those already in
/// the database and those earlier in the file): a score at or above the auto-merge threshold merges it into that customer
/// (undoably), one at or above the review threshold creates it and queues the pair for a person to look at.
/// </summary>
internal sealed class CustomerWriter(WriteContext context) : KindWriter(context)
{
    // Hashes of the external ids this source already has, not the ids themselves: a million strings would cost more than the matcher.
    // A hit is confirmed in the database, so a hash collision costs a query, never a wrong update.
    private readonly HashSet<long> _known = [];
    private CustomerMatcher? _matcher;
    private Survivorship _rule;
    private readonly PendingCustomers? _pending = context.Sql.IsSqlite ? new PendingCustomers(context.Sql) : null;

    private const string SelectCustomer = "SELECT \"Kind\", \"Name\", \"Email\", \"Phone\", \"Company\", \"Country\", \"City\", \"Address\", \"Tags\", \"CreatedAt\", \"UpdatedAt\" FROM \"customers\" WHERE \"Id\" = @p0";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _rule = CustomerMerger.ParseRule(Context.Mapping.Duplicates.Survivorship);
        }
        catch (MergeRefusedException e)
        {
            throw new ImportFileException("mapping, duplicates.survivorship: " + e.Message);
        }
        await using (var reader = await Sql.ReadAsync("SELECT \"ExternalId\" FROM \"customer_sources\" WHERE \"System\" = @p0", cancellationToken, Context.Source))
        {
            while (await reader.ReadAsync(cancellationToken)) _known.Add(Key(reader.GetString(0)));
        }
        if (!Context.Mapping.Duplicates.Detect) return;
        var existing = Convert.ToInt64(await Sql.ScalarAsync("SELECT count(*) FROM \"customers\"", cancellationToken), CultureInfo.InvariantCulture);
        _matcher = new CustomerMatcher((int)Math.Min(int.MaxValue / 4, existing + (Context.Plan?.Rows ?? 0) + 16));
        await using var customers = await Sql.ReadAsync("SELECT \"Id\", \"Name\", \"Email\", \"Phone\", \"City\", \"Address\" FROM \"customers\"", cancellationToken);
        while (await customers.ReadAsync(cancellationToken))
        {
            _matcher.Add(customers.GetInt64(0), new MatchFields(customers.GetString(1), Text(customers, 2), Text(customers, 3), Text(customers, 4), Text(customers, 5)));
        }
    }

    private static string? Text(System.Data.Common.DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        var externalId = Truncate(Field("externalId") ?? $"line-{line.ToString(CultureInfo.InvariantCulture)}", 100);
        var name = Field("name") ?? Join(Field("firstName"), Field("lastName"));
        if (name is null)
        {
            // Exports from billing or analytics systems often carry an id but no name; the id is the best name there is.
            name = Field("externalId") ?? $"{Context.Source} line {line}";
            ImportPlan.Count(Context.Steps, "names taken from the external id or line");
        }
        var incoming = new Customer
        {
            Name = Cut("name", name, 200, findings)!,
            Kind = ParseKind(Field("kind"), Field("company")),
            Email = Cut("email", Field("email"), 254, findings),
            Phone = Cut("phone", Field("phone"), 40, findings),
            Company = Cut("company", Field("company"), 200, findings),
            // A column's country is cleaned to its ISO code already; a mapping's default is not.
            Country = Field("country") is { } country ? Cleaning.Country(country, out _) : null,
            City = Cut("city", Field("city"), 100, findings),
            Address = Cut("address", Field("address"), 300, findings),
            Tags = Field("tags")?.Split([',', ';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => t.ToLowerInvariant()).Where(t => t.Length <= 40).Distinct().Take(20).ToList() ?? [],
            CreatedAt = Date(Field("createdAt")) ?? Context.Now,
            UpdatedAt = Context.Now,
        };
        var supplied = string.Join(',', CustomerMerger.ProfileFields.Where(f => f switch
        {
            "Name" => Field("name") is not null || Field("firstName") is not null || Field("lastName") is not null,
            "Email" => incoming.Email is not null, "Phone" => incoming.Phone is not null, "Company" => incoming.Company is not null,
            "Country" => incoming.Country is not null, "City" => incoming.City is not null, _ => incoming.Address is not null,
        }));
        var attributes = Attributes();

        var key = Key(externalId);
        if (_pending?.HoldsSource(key) == true) _pending.Flush(endOfTransaction: false);
        if (_known.Contains(key)
            && await Sql.ScalarAsync("SELECT \"CustomerId\" FROM \"customer_sources\" WHERE \"System\" = @p0 AND \"ExternalId\" = @p1", cancellationToken, Context.Source, externalId) is long knownCustomer)
        {
            var existing = await ReadAsync(knownCustomer, cancellationToken);
            if (existing is not null)
            {
                // The same system speaking again about the same customer: its newer values win.
                var searched = (existing.Name, existing.Email, existing.Phone);
                CustomerMerger.Combine(existing, incoming, otherWins: true);
                await UpdateAsync(knownCustomer, existing, searched, cancellationToken);
                await Sql.ExecuteAsync("UPDATE \"customer_sources\" SET \"Fields\" = @p0, \"Attributes\" = @p1, \"LastSeenAt\" = @p2 WHERE \"System\" = @p3 AND \"ExternalId\" = @p4",
                    cancellationToken, supplied, attributes, Context.Now, Context.Source, externalId);
                return Outcome.Updated;
            }
        }

        // A name made up from an id or a line number says nothing about who the customer is: only email, phone and address match then.
        var namedByFile = Field("name") is not null || Field("firstName") is not null || Field("lastName") is not null;
        var fields = new MatchFields(namedByFile ? incoming.Name : "", incoming.Email, incoming.Phone, incoming.City, incoming.Address);
        var rules = Context.Mapping.Duplicates;
        var match = _matcher?.Best(fields, Math.Min(rules.Review, rules.AutoMerge));
        if (match is { } auto && auto.Score >= rules.AutoMerge && await ReadAsync(auto.CustomerId, cancellationToken) is { } survivor)
        {
            var before = CustomerMerger.Fields(survivor);
            var otherWins = _rule switch
            {
                Survivorship.Newest => true,
                Survivorship.MostComplete => CustomerMerger.Completeness(incoming) > CustomerMerger.Completeness(survivor),
                _ => await SourceRankAsync(auto.CustomerId, cancellationToken) > Rank(Context.Source),
            };
            var searched = (survivor.Name, survivor.Email, survivor.Phone);
            CustomerMerger.Combine(survivor, incoming, otherWins);
            await UpdateAsync(auto.CustomerId, survivor, searched, cancellationToken);
            var sourceId = await InsertSourceAsync(auto.CustomerId, externalId, supplied, attributes, cancellationToken);
            var snapshot = new JsonObject
            {
                ["merged"] = CustomerMerger.Fields(incoming),
                ["survivorBefore"] = before,
                ["survivorAfter"] = CustomerMerger.Fields(survivor),
                ["moved"] = new JsonObject { ["customer_sources"] = new JsonArray(sourceId) },
                ["importRun"] = Context.Run.Id,
                ["line"] = line,
            }.ToJsonString();
            var mergeId = await Sql.InsertAsync(
                "INSERT INTO \"customer_merges\" (\"SurvivorId\", \"MergedId\", \"MergedName\", \"Score\", \"Rule\", \"Actor\", \"At\", \"Snapshot\") VALUES (@p0, 0, @p1, @p2, @p3, @p4, @p5, @p6)",
                cancellationToken, auto.CustomerId, incoming.Name, auto.Score, _rule.ToString(), Context.Actor, Context.Now, snapshot);
            await Sql.AuditAsync(Context.Actor, "Merged", nameof(Customer), auto.CustomerId,
                new { merge = mergeId, source = Context.Source, externalId, line, score = auto.Score, reasons = auto.Reasons }, Context.Now, cancellationToken);
            findings.Add(new Finding(null, incoming.Name, ProblemAction.Altered, $"merged into customer #{auto.CustomerId} (score {auto.Score:0.00}: {auto.Reasons}); undo with merge {mergeId}"));
            _known.Add(key);
            return Outcome.Merged;
        }

        object?[] customer = [incoming.Kind.ToString(), incoming.Name, incoming.Email, incoming.Phone, incoming.Company, incoming.Country, incoming.City, incoming.Address,
            Sql.Tags(incoming.Tags), incoming.CreatedAt, incoming.UpdatedAt];
        // The source row's id is not needed for a new customer (updates find it by system and external id): no RETURNING.
        object?[] source = [0L, Context.Source, externalId, supplied, attributes, Context.Now];
        long id;
        if (_pending is not null)
        {
            id = await _pending.AddAsync(customer, source, key, cancellationToken);
        }
        else
        {
            id = await Sql.InsertAsync(InsertCustomer, cancellationToken, customer);
            source[0] = id;
            await Sql.ExecuteAsync(InsertSource, cancellationToken, source);
        }
        _known.Add(key);
        if (match is { } review && review.Score >= rules.Review)
        {
            object?[] candidate = [Math.Min(id, review.CustomerId), Math.Max(id, review.CustomerId), review.Score, Truncate(review.Reasons, 300), nameof(CandidateStatus.Open), Context.Now,
                Context.Run.Id > 0 ? Context.Run.Id : null];
            if (_pending is not null) _pending.AddCandidate(candidate);
            else await Sql.ExecuteAsync(InsertCandidate, cancellationToken, candidate);
            Context.Run.ForReview++;
            findings.Add(new Finding(null, incoming.Name, ProblemAction.Flagged, $"possible duplicate of customer #{review.CustomerId} (score {review.Score:0.00}: {review.Reasons}); in the review queue"));
        }
        _matcher?.Add(id, fields);
        return Outcome.Imported;
    }

    private const string InsertCustomer =
        "INSERT INTO \"customers\" (\"Kind\", \"Name\", \"Email\", \"Phone\", \"Company\", \"Country\", \"City\", \"Address\", \"Tags\", \"CreatedAt\", \"UpdatedAt\") " +
        "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10)";
    private const string InsertSource =
        "INSERT INTO \"customer_sources\" (\"CustomerId\", \"System\", \"ExternalId\", \"Fields\", \"Attributes\", \"FirstSeenAt\", \"LastSeenAt\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p5)";
    private const string InsertCandidate =
        "INSERT INTO \"duplicate_candidates\" (\"CustomerId\", \"OtherId\", \"Score\", \"Reasons\", \"Status\", \"FoundAt\", \"ImportRunId\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)";
    private const string UpdateCustomer =
        "UPDATE \"customers\" SET \"Kind\" = @p0, \"Name\" = @p1, \"Email\" = @p2, \"Phone\" = @p3, \"Company\" = @p4, \"Country\" = @p5, \"City\" = @p6, \"Address\" = @p7, " +
        "\"Tags\" = @p8, \"CreatedAt\" = @p9, \"UpdatedAt\" = @p10 WHERE \"Id\" = @p11";

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        _pending?.Flush(endOfTransaction: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// New customers, their source rows, review pairs and merge updates of one stretch of rows, written to SQLite as multi-row
    /// statements. One statement per row would cost twice: the FTS5 search index behind the customer triggers flushes its pending
    /// terms at the end of every statement, so a row a statement writes a tiny index segment per customer and merges them again
    /// (about 100 µs a customer, against 35 µs when a hundred share a statement). Ids are given here, from the table's largest id
    /// read inside the import's write transaction (nobody else can insert until it commits), so the matcher and the report know a
    /// customer's id before its row is written. A row that reads a pending customer flushes first.
    /// </summary>
    private sealed class PendingCustomers(ImportSql sql)
    {
        private const int Rows = 100;
        private const int CustomerValues = 12, SourceValues = 7, CandidateValues = 7;
        private readonly List<object?> _customers = new(Rows * CustomerValues);
        private readonly List<object?> _updates = new(Rows * CustomerValues);
        private readonly List<object?> _quietUpdates = new(Rows * CustomerValues);
        private readonly List<object?> _sources = new(Rows * SourceValues);
        private readonly List<object?> _candidates = [];
        private readonly HashSet<long> _ids = [];
        private readonly HashSet<long> _externalKeys = [];
        private readonly Dictionary<(string Head, int Count), string> _statements = [];
        private long _nextId;

        public bool Holds(long id) => _ids.Contains(id);

        public bool HoldsSource(long externalKey) => _externalKeys.Contains(externalKey);

        public async Task<long> AddAsync(object?[] customer, object?[] source, long externalKey, CancellationToken cancellationToken)
        {
            if (_nextId == 0)
            {
                _nextId = 1 + Convert.ToInt64(await sql.ScalarAsync(
                    "SELECT max(coalesce((SELECT max(\"Id\") FROM \"customers\"), 0), coalesce((SELECT \"seq\" FROM sqlite_sequence WHERE \"name\" = 'customers'), 0))",
                    cancellationToken), CultureInfo.InvariantCulture);
            }
            var id = _nextId++;
            _customers.Add(id);
            _customers.AddRange(customer);
            source[0] = id;
            _sources.AddRange(source);
            _sources.Add(source[5]); // last seen when first seen
            _ids.Add(id);
            _externalKeys.Add(externalKey);
            if (_customers.Count >= Rows * CustomerValues) Flush(endOfTransaction: false);
            return id;
        }

        /// <param name="searched">Whether name, email or phone change: only then may the search index's trigger fire (it costs a delete and an insert in the index).</param>
        public void Update(long id, object?[] customer, bool searched)
        {
            var updates = searched ? _updates : _quietUpdates;
            updates.Add(id);
            updates.AddRange(customer);
            _ids.Add(id);
            if (updates.Count >= Rows * CustomerValues) Flush(endOfTransaction: false);
        }

        public void AddCandidate(object?[] candidate) => _candidates.AddRange(candidate);

        /// <summary>Writes what is pending; at the end of a transaction also forgets the next id (another writer may insert before the next one).</summary>
        public void Flush(bool endOfTransaction)
        {
            Write(_customers, CustomerValues, "INSERT INTO \"customers\" (\"Id\", \"Kind\", \"Name\", \"Email\", \"Phone\", \"Company\", \"Country\", \"City\", \"Address\", \"Tags\", \"CreatedAt\", \"UpdatedAt\") VALUES ", "");
            Write(_updates, CustomerValues,
                "UPDATE \"customers\" SET \"Kind\" = v.column2, \"Name\" = v.column3, \"Email\" = v.column4, \"Phone\" = v.column5, \"Company\" = v.column6, \"Country\" = v.column7, " +
                "\"City\" = v.column8, \"Address\" = v.column9, \"Tags\" = v.column10, \"CreatedAt\" = v.column11, \"UpdatedAt\" = v.column12 FROM (VALUES ",
                ") AS v WHERE \"customers\".\"Id\" = v.column1");
            Write(_quietUpdates, CustomerValues,
                "UPDATE \"customers\" SET \"Kind\" = v.column2, \"Company\" = v.column6, \"Country\" = v.column7, \"City\" = v.column8, \"Address\" = v.column9, " +
                "\"Tags\" = v.column10, \"CreatedAt\" = v.column11, \"UpdatedAt\" = v.column12 FROM (VALUES ",
                ") AS v WHERE \"customers\".\"Id\" = v.column1");
            Write(_sources, SourceValues, "INSERT INTO \"customer_sources\" (\"CustomerId\", \"System\", \"ExternalId\", \"Fields\", \"Attributes\", \"FirstSeenAt\", \"LastSeenAt\") VALUES ", "");
            Write(_candidates, CandidateValues, "INSERT INTO \"duplicate_candidates\" (\"CustomerId\", \"OtherId\", \"Score\", \"Reasons\", \"Status\", \"FoundAt\", \"ImportRunId\") VALUES ", "");
            _ids.Clear();
            _externalKeys.Clear();
            if (endOfTransaction) _nextId = 0;
        }

        private void Write(List<object?> values, int width, string head, string tail)
        {
            for (var start = 0; start < values.Count; start += Rows * width)
            {
                var count = Math.Min(Rows * width, values.Count - start);
                if (!_statements.TryGetValue((head, count), out var statement))
                {
                    var text = new StringBuilder(head);
                    for (var row = 0; row < count / width; row++)
                    {
                        text.Append(row == 0 ? "(" : ", (");
                        for (var column = 0; column < width; column++) text.Append(column == 0 ? "@p" : ", @p").Append(row * width + column);
                        text.Append(')');
                    }
                    statement = text.Append(tail).ToString();
                    _statements[(head, count)] = statement;
                }
                sql.ExecuteBound(statement, values, start, count);
            }
            values.Clear();
        }
    }

    /// <summary>64-bit FNV-1a of an external id.</summary>
    private static long Key(string externalId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in externalId) hash = (hash ^ c) * 1099511628211UL;
        return (long)hash;
    }

    private int Rank(string system)
    {
        var index = Context.Mapping.Duplicates.SourcePriority.FindIndex(p => string.Equals(p, system, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? int.MaxValue : index;
    }

    private async Task<int> SourceRankAsync(long customerId, CancellationToken cancellationToken)
    {
        if (_pending?.Holds(customerId) == true) _pending.Flush(endOfTransaction: false);
        var best = int.MaxValue;
        await using var reader = await Sql.ReadAsync("SELECT \"System\" FROM \"customer_sources\" WHERE \"CustomerId\" = @p0", cancellationToken, customerId);
        while (await reader.ReadAsync(cancellationToken)) best = Math.Min(best, Rank(reader.GetString(0)));
        return best;
    }

    private Task<long> InsertSourceAsync(long customerId, string externalId, string supplied, string? attributes, CancellationToken cancellationToken) =>
        Sql.InsertAsync(
            "INSERT INTO \"customer_sources\" (\"CustomerId\", \"System\", \"ExternalId\", \"Fields\", \"Attributes\", \"FirstSeenAt\", \"LastSeenAt\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p5)",
            cancellationToken, customerId, Context.Source, externalId, supplied, attributes, Context.Now);

    /// <param name="searched">Name, email and phone before the change: when they stay, the search index needs no new entry.</param>
    private async Task UpdateAsync(long id, Customer c, (string Name, string? Email, string? Phone) searched, CancellationToken cancellationToken)
    {
        object?[] values = [c.Kind.ToString(), c.Name, c.Email, c.Phone, c.Company, c.Country, c.City, c.Address, Sql.Tags(c.Tags), c.CreatedAt, Context.Now];
        if (_pending is not null) _pending.Update(id, values, searched != (c.Name, c.Email, c.Phone));
        else await Sql.ExecuteAsync(UpdateCustomer, cancellationToken, [.. values, id]);
    }

    private async Task<Customer?> ReadAsync(long id, CancellationToken cancellationToken)
    {
        if (_pending?.Holds(id) == true) _pending.Flush(endOfTransaction: false);
        await using var reader = await Sql.ReadAsync(SelectCustomer, cancellationToken, id);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var tags = reader.GetValue(8) switch
        {
            string json => JsonSerializer.Deserialize<List<string>>(json) ?? [],
            string[] array => [.. array],
            _ => [],
        };
        return new Customer
        {
            Id = id,
            Kind = Enum.TryParse<CustomerKind>(reader.GetString(0), out var kind) ? kind : CustomerKind.Person,
            Name = reader.GetString(1),
            Email = Text(reader, 2), Phone = Text(reader, 3), Company = Text(reader, 4), Country = Text(reader, 5), City = Text(reader, 6), Address = Text(reader, 7),
            Tags = tags,
            CreatedAt = reader.GetDateTime(9),
            UpdatedAt = reader.GetDateTime(10),
        };
    }

    private static CustomerKind ParseKind(string? kind, string? company) => kind?.Trim().ToLowerInvariant() switch
    {
        "company" or "business" or "organisation" or "organization" or "b2b" or "企业" or "公司" => CustomerKind.Company,
        "person" or "individual" or "consumer" or "b2c" or "个人" => CustomerKind.Person,
        _ => CustomerKind.Person,
    };

    private static string? Join(string? first, string? last) =>
        first is null && last is null ? null : $"{first} {last}".Trim();

    private string? Attributes()
    {
        var plan = Context.Plan!;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var any = false;
            for (var slot = 0; slot < plan.SlotCount; slot++)
            {
                if (!plan.IsAttribute(slot)) continue;
                var value = Field(plan.FieldOf(slot));
                if (value is null) continue;
                any = true;
                var name = plan.AttributeName(slot);
                if (plan.IsNumeric(slot) && Cleaning.Number(value) is { } number) json.WriteNumber(name, number);
                else json.WriteString(name, value);
            }
            foreach (var slot in plan.StandardisedSlots)
            {
                if (plan.ZScore(slot, Field(plan.FieldOf(slot))) is { } z)
                {
                    json.WriteNumber(plan.AttributeName(slot) + "_z", z);
                    any = true;
                }
            }
            json.WriteEndObject();
            if (!any) return null;
        }
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return text.Length > 20000 ? null : text;
    }
}

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

/// <summary>
/// Orders with their lines: one row per line, rows of one order (same order id) next to each other; or one row per order with
/// its lines as a JSON array (`[{"sku":"A-1","quantity":2,"unitPrice":9.5}]`).
/// </summary>
internal sealed class OrderWriter(WriteContext context) : KindWriter(context)
{
    private readonly CustomerRefs _customers = new(context.Sql, context.Source);
    private readonly ProductRefs _products = new(context.Sql);
    private string? _orderKey;
    private long _orderId;
    private decimal _total;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _customers.LoadAsync(cancellationToken);
        await _products.LoadAsync(cancellationToken);
    }

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (await CustomerAsync(_customers, findings, cancellationToken) is not { } customer) return Outcome.Rejected;
        var lines = new List<(long Product, int Quantity, decimal Price)>();
        if (Field("lines") is { } json)
        {
            try
            {
                foreach (var item in JsonNode.Parse(json)!.AsArray())
                {
                    var sku = item?["sku"]?.ToString();
                    if (sku is null || Line(sku, item?["quantity"]?.ToString(), item?["unitPrice"]?.ToString(), findings) is not { } parsed) return Outcome.Rejected;
                    lines.Add(parsed);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                findings.Add(new Finding(Column("lines"), json, ProblemAction.Rejected, "lines are not a JSON array of {sku, quantity, unitPrice}"));
                return Outcome.Rejected;
            }
        }
        else if (Field("sku") is { } sku)
        {
            if (Line(sku, Field("quantity"), Field("unitPrice"), findings) is not { } parsed) return Outcome.Rejected;
            lines.Add(parsed);
        }
        if (lines.Count == 0)
        {
            findings.Add(new Finding(Column("sku"), null, ProblemAction.Rejected, "an order needs at least one line (sku or lines)"));
            return Outcome.Rejected;
        }
        var key = Field("orderId") is { } orderId ? customer.ToString(CultureInfo.InvariantCulture) + "/" + orderId : null;
        var outcome = Outcome.Updated;
        if (key is null || key != _orderKey)
        {
            await FlushAsync(cancellationToken);
            _orderKey = key;
            _total = 0;
            _orderId = await Sql.InsertAsync(
                "INSERT INTO \"orders\" (\"CustomerId\", \"OrderedAt\", \"Status\", \"Channel\", \"Currency\", \"Total\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)", cancellationToken,
                customer, Date(Field("orderedAt")) ?? Context.Now, ParseEnum("status", OrderStatus.Delivered, findings).ToString(), ParseEnum("channel", SalesChannel.Web, findings).ToString(),
                (Field("currency") is { Length: 3 } currency ? currency : "USD").ToUpperInvariant(), Sql.Money(0));
            outcome = Outcome.Imported;
        }
        foreach (var (product, quantity, price) in lines)
        {
            await Sql.ExecuteAsync("INSERT INTO \"order_lines\" (\"OrderId\", \"ProductId\", \"Quantity\", \"UnitPrice\") VALUES (@p0, @p1, @p2, @p3)", cancellationToken,
                _orderId, product, quantity, Sql.Money(price));
            _total += quantity * price;
        }
        return outcome;
    }

    private (long, int, decimal)? Line(string rawSku, string? quantityText, string? priceText, List<Finding> findings)
    {
        var sku = Sku(rawSku);
        if (!_products.BySku.TryGetValue(sku, out var product))
        {
            findings.Add(new Finding(Column("sku"), rawSku, ProblemAction.Rejected, $"no product with SKU '{sku}' (import the products first)"));
            return null;
        }
        var quantity = quantityText is null ? 1 : Cleaning.Number(quantityText);
        if (quantity is not (>= 1 and <= 100_000) || quantity != Math.Floor(quantity.Value))
        {
            findings.Add(new Finding(Column("quantity"), quantityText, ProblemAction.Rejected, "the quantity must be a whole number from 1 to 100,000"));
            return null;
        }
        var price = priceText is null ? (double)product.Price : Cleaning.Number(priceText);
        if (price is not (>= 0 and <= MaxPrice))
        {
            findings.Add(new Finding(Column("unitPrice"), priceText, ProblemAction.Rejected, "the unit price must be a number from 0 to 10,000,000"));
            return null;
        }
        return (product.Id, (int)quantity.Value, Math.Round((decimal)price.Value, 2));
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_orderId == 0) return;
        await Sql.ExecuteAsync("UPDATE \"orders\" SET \"Total\" = @p0 WHERE \"Id\" = @p1", cancellationToken, Sql.Money(_total), _orderId);
    }
}

/// <summary>
/// Point-of-sale baskets: every field of a row is an item; each basket becomes an order of the source's walk-in customer, and
/// items not yet in the catalogue become products.
/// </summary>
internal sealed class BasketWriter(WriteContext context) : KindWriter(context)
{
    private readonly ProductRefs _products = new(context.Sql);
    private long _customer;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _products.LoadAsync(cancellationToken);
        var external = "walk-in";
        if (await Sql.ScalarAsync("SELECT \"CustomerId\" FROM \"customer_sources\" WHERE \"System\" = @p0 AND \"ExternalId\" = @p1", cancellationToken, Context.Source, external) is { } id and not DBNull)
        {
            _customer = Convert.ToInt64(id, CultureInfo.InvariantCulture);
            return;
        }
        _customer = await Sql.InsertAsync(
            "INSERT INTO \"customers\" (\"Kind\", \"Name\", \"Tags\", \"CreatedAt\", \"UpdatedAt\") VALUES (@p0, @p1, @p2, @p3, @p3)", cancellationToken,
            nameof(CustomerKind.Person), Truncate($"Walk-in customers ({Context.Source})", 200), Sql.Tags(["anonymous"]), Context.Now);
        await Sql.ExecuteAsync(
            "INSERT INTO \"customer_sources\" (\"CustomerId\", \"System\", \"ExternalId\", \"Fields\", \"FirstSeenAt\", \"LastSeenAt\") VALUES (@p0, @p1, @p2, 'Name', @p3, @p3)",
            cancellationToken, _customer, Context.Source, external, Context.Now);
    }

    protected override async Task<Outcome> WriteRowAsync(long line, List<Finding> findings, CancellationToken cancellationToken)
    {
        var items = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in Values)
        {
            var item = raw?.Trim();
            if (string.IsNullOrEmpty(item)) continue;
            if (TextSource.FirstControl(item) >= 0)
            {
                findings.Add(new Finding(null, item, ProblemAction.Rejected, "an item contains control characters: binary data?"));
                return Outcome.Rejected;
            }
            var sku = Truncate((Context.Mapping.SkuPrefix ?? "") + Cleaning.Slug(item), 40);
            if (sku.Length == 0) continue;
            items[sku] = items.GetValueOrDefault(sku) + 1;
            names.TryAdd(sku, Truncate(item, 200));
        }
        if (items.Count == 0)
        {
            findings.Add(new Finding(null, null, ProblemAction.Rejected, "an empty basket"));
            return Outcome.Rejected;
        }
        decimal total = 0;
        var orderId = await Sql.InsertAsync(
            "INSERT INTO \"orders\" (\"CustomerId\", \"OrderedAt\", \"Status\", \"Channel\", \"Currency\", \"Total\") VALUES (@p0, @p1, @p2, @p3, 'USD', @p4)", cancellationToken,
            _customer, Context.Now, nameof(OrderStatus.Delivered), nameof(SalesChannel.Store), Sql.Money(0));
        foreach (var (sku, quantity) in items)
        {
            if (!_products.BySku.TryGetValue(sku, out var product))
            {
                var id = await Sql.InsertAsync("INSERT INTO \"products\" (\"Sku\", \"Name\", \"Kind\", \"Category\", \"Price\", \"Active\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
                    cancellationToken, sku, names[sku], nameof(ProductKind.Accessory), Context.Source, Sql.Money(0), true);
                product = (id, 0);
                _products.BySku[sku] = product;
                ImportPlan.Count(Context.Steps, "products created from basket items");
            }
            await Sql.ExecuteAsync("INSERT INTO \"order_lines\" (\"OrderId\", \"ProductId\", \"Quantity\", \"UnitPrice\") VALUES (@p0, @p1, @p2, @p3)", cancellationToken,
                orderId, product.Id, quantity, Sql.Money(product.Price));
            total += product.Price * quantity;
        }
        if (total != 0) await Sql.ExecuteAsync("UPDATE \"orders\" SET \"Total\" = @p0 WHERE \"Id\" = @p1", cancellationToken, Sql.Money(total), orderId);
        return Outcome.Imported;
    }
}
