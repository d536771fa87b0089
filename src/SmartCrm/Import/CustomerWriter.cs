using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmartCrm.Customers;

namespace SmartCrm.Import;

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
            var merge = CustomerMerger.Record(auto.CustomerId, 0, incoming, before, survivor, new JsonObject { ["customer_sources"] = new JsonArray(sourceId) },
                auto.Score, _rule, Context.Actor, Context.Now, new JsonObject { ["importRun"] = Context.Run.Id, ["line"] = line });
            var mergeId = await Sql.InsertAsync(
                "INSERT INTO \"customer_merges\" (\"SurvivorId\", \"MergedId\", \"MergedName\", \"Score\", \"Rule\", \"Actor\", \"At\", \"Snapshot\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)",
                cancellationToken, merge.SurvivorId, merge.MergedId, merge.MergedName, merge.Score, merge.Rule, merge.Actor, merge.At, merge.Snapshot);
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
