using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

/// <summary>Whose values win when two records of one customer are combined.</summary>
public enum Survivorship { Newest, MostComplete, SourcePriority }

/// <summary>A merge that cannot be done, with the reason (unknown customer, merge with itself, already undone).</summary>
public sealed class MergeRefusedException(string message, int status = StatusCodes.Status409Conflict) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Merges two customers into one: the survivor keeps its id, takes the fields the survivorship rule gives it, and receives every
/// row that pointed at the other (orders, interactions, devices, tickets, … found from the model, so new tables are included);
/// the other is deleted. The merge record keeps both customers' fields and the moved row ids, so it can be undone.
/// </summary>
public sealed class CustomerMerger(CrmDb db, Actor actor, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Survivorship ParseRule(string? rule) => rule?.Trim().ToLowerInvariant() switch
    {
        null or "" or "newest" => Survivorship.Newest,
        "mostcomplete" or "most-complete" or "complete" => Survivorship.MostComplete,
        "sourcepriority" or "source-priority" or "source" => Survivorship.SourcePriority,
        _ => throw new MergeRefusedException($"Unknown survivorship rule '{rule}': use newest, mostComplete or sourcePriority.", StatusCodes.Status400BadRequest),
    };

    public async Task<CustomerMerge> MergeAsync(long survivorId, long otherId, Survivorship rule, IReadOnlyList<string>? sourcePriority, double? score, CancellationToken cancellationToken)
    {
        if (survivorId == otherId) throw new MergeRefusedException($"Customer {survivorId} cannot be merged with itself.", StatusCodes.Status400BadRequest);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var survivor = await db.Customers.AsTracking().FirstOrDefaultAsync(c => c.Id == survivorId, cancellationToken)
            ?? throw new MergeRefusedException($"No customer with id {survivorId}.", StatusCodes.Status404NotFound);
        var other = await db.Customers.AsTracking().FirstOrDefaultAsync(c => c.Id == otherId, cancellationToken)
            ?? throw new MergeRefusedException($"No customer with id {otherId}.", StatusCodes.Status404NotFound);
        var before = Fields(survivor);
        var otherWins = rule switch
        {
            Survivorship.Newest => other.UpdatedAt > survivor.UpdatedAt,
            Survivorship.MostComplete => Completeness(other) > Completeness(survivor),
            _ => await SourceRankAsync(otherId, sourcePriority, cancellationToken) < await SourceRankAsync(survivorId, sourcePriority, cancellationToken),
        };
        Combine(survivor, other, otherWins);

        var moved = new JsonObject();
        foreach (var (table, ids) in await MoveRowsAsync(otherId, survivorId, cancellationToken)) moved[table] = new JsonArray([.. ids.Select(id => JsonValue.Create(id))]);
        var merge = Record(survivorId, otherId, other, before, survivor, moved, score, rule, actor.Name, clock.GetUtcNow().UtcDateTime);
        db.Customers.Remove(other);
        db.CustomerMerges.Add(merge);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return merge;
    }

    /// <summary>
    /// The record of a merge, with what <see cref="UndoAsync"/> needs: the merged customer's fields, the survivor's before and
    /// after, and the ids of the rows moved, per table. The importer's merges of an incoming row into a customer use it too
    /// (merged id 0: the row never was a customer of its own; <paramref name="also"/> says where it came from).
    /// </summary>
    public static CustomerMerge Record(long survivorId, long mergedId, Customer merged, JsonObject survivorBefore, Customer survivorAfter, JsonObject moved,
        double? score, Survivorship rule, string? actor, DateTime at, JsonObject? also = null)
    {
        var snapshot = new JsonObject
        {
            ["merged"] = Fields(merged),
            ["survivorBefore"] = survivorBefore,
            ["survivorAfter"] = Fields(survivorAfter),
            ["moved"] = moved,
        };
        foreach (var (name, value) in also?.ToList() ?? [])
        {
            also!.Remove(name);
            snapshot[name] = value;
        }
        return new CustomerMerge
        {
            SurvivorId = survivorId, MergedId = mergedId, MergedName = merged.Name, Score = score, Rule = rule.ToString(), Actor = actor, At = at,
            Snapshot = snapshot.ToJsonString(),
        };
    }

    /// <summary>Brings the merged customer back (same id), returns the rows that were theirs, and restores the survivor's fields the merge changed.</summary>
    public async Task<CustomerMerge> UndoAsync(long mergeId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var merge = await db.CustomerMerges.AsTracking().FirstOrDefaultAsync(m => m.Id == mergeId, cancellationToken)
            ?? throw new MergeRefusedException($"No merge with id {mergeId}.", StatusCodes.Status404NotFound);
        if (merge.UndoneAt is not null) throw new MergeRefusedException($"Merge {mergeId} was already undone at {merge.UndoneAt:u}.");
        var survivor = await db.Customers.AsTracking().FirstOrDefaultAsync(c => c.Id == merge.SurvivorId, cancellationToken)
            ?? throw new MergeRefusedException($"The surviving customer {merge.SurvivorId} no longer exists; merge {mergeId} cannot be undone.");
        var snapshot = JsonNode.Parse(merge.Snapshot)!.AsObject();
        var restored = FromFields(snapshot["merged"]!.AsObject());
        if (merge.MergedId > 0)
        {
            if (await db.Customers.AnyAsync(c => c.Id == merge.MergedId, cancellationToken))
                throw new MergeRefusedException($"Customer {merge.MergedId} exists again; merge {mergeId} cannot be undone.");
            restored.Id = merge.MergedId;
        }
        db.Customers.Add(restored);
        // Fields the merge set go back to what the survivor had, unless someone changed them since.
        var before = FromFields(snapshot["survivorBefore"]!.AsObject());
        var after = FromFields(snapshot["survivorAfter"]!.AsObject());
        Restore(survivor, before, after);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (table, ids) in snapshot["moved"]!.AsObject())
        {
            var list = ids!.AsArray().Select(id => id!.GetValue<long>()).ToList();
            if (list.Count == 0) continue;
            var quoted = Quote(table);
            foreach (var chunk in list.Chunk(500))
            {
                // Ids are numbers read from our own snapshot; the table name comes from the model.
                var sql = "UPDATE " + quoted + " SET \"CustomerId\" = {0} WHERE \"Id\" IN (" + string.Join(',', chunk) + ")";
                await db.Database.ExecuteSqlRawAsync(sql, [restored.Id], cancellationToken);
            }
        }
        merge.UndoneAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return merge;
    }

    /// <summary>Every table with a CustomerId column, from the model: whatever a customer owns follows the merge.</summary>
    private async Task<List<(string Table, List<long> Ids)>> MoveRowsAsync(long from, long to, CancellationToken cancellationToken)
    {
        var moved = new List<(string, List<long>)>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            if (entity.ClrType == typeof(Customer) || entity.FindProperty("CustomerId") is null || entity.ClrType == typeof(DuplicateCandidate)) continue;
            // Rows keyed by the customer alone (stored scores) are derived, one per customer: they go with the merged customer and are recomputed.
            if (entity.FindProperty("Id") is null) continue;
            var table = entity.GetTableName()!;
            var sql = "UPDATE " + Quote(table) + " SET \"CustomerId\" = {0} WHERE \"CustomerId\" = {1} RETURNING \"Id\" AS \"Value\"";
            var ids = await db.Database.SqlQueryRaw<long>(sql, to, from).ToListAsync(cancellationToken);
            moved.Add((table, ids));
        }
        return moved;
    }

    private static string Quote(string table) => "\"" + table.Replace("\"", "", StringComparison.Ordinal) + "\"";

    private async Task<int> SourceRankAsync(long customerId, IReadOnlyList<string>? priority, CancellationToken cancellationToken)
    {
        if (priority is null || priority.Count == 0) return int.MaxValue;
        var systems = await db.CustomerSources.Where(s => s.CustomerId == customerId).Select(s => s.System).ToListAsync(cancellationToken);
        var best = int.MaxValue;
        foreach (var system in systems)
        {
            var rank = priority.ToList().FindIndex(p => string.Equals(p, system, StringComparison.OrdinalIgnoreCase));
            if (rank >= 0) best = Math.Min(best, rank);
        }
        return best;
    }

    /// <summary>Fields of a customer that a person fills in; completeness and survivorship look at these.</summary>
    public static readonly string[] ProfileFields = ["Name", "Email", "Phone", "Company", "Country", "City", "Address"];

    public static int Completeness(Customer c) =>
        (c.Email is null ? 0 : 1) + (c.Phone is null ? 0 : 1) + (c.Company is null ? 0 : 1) + (c.Country is null ? 0 : 1) + (c.City is null ? 0 : 1) + (c.Address is null ? 0 : 1);

    /// <summary>The survivor keeps its values unless the other wins; either way, gaps are filled from the other and tags are united.</summary>
    public static void Combine(Customer survivor, Customer other, bool otherWins)
    {
        survivor.Name = otherWins && other.Name.Length > 0 ? other.Name : survivor.Name;
        survivor.Email = Pick(survivor.Email, other.Email, otherWins);
        survivor.Phone = Pick(survivor.Phone, other.Phone, otherWins);
        survivor.Company = Pick(survivor.Company, other.Company, otherWins);
        survivor.Country = Pick(survivor.Country, other.Country, otherWins);
        survivor.City = Pick(survivor.City, other.City, otherWins);
        survivor.Address = Pick(survivor.Address, other.Address, otherWins);
        if (otherWins) survivor.Kind = other.Kind;
        var tags = survivor.Tags.Union(other.Tags).ToList();
        if (tags.Count != survivor.Tags.Count) survivor.Tags = tags;
        if (other.CreatedAt.Ticks > 0 && other.CreatedAt < survivor.CreatedAt) survivor.CreatedAt = other.CreatedAt;
    }

    private static string? Pick(string? mine, string? theirs, bool theirsWins) => theirsWins ? theirs ?? mine : mine ?? theirs;

    private static void Restore(Customer survivor, Customer before, Customer after)
    {
        if (survivor.Name == after.Name) survivor.Name = before.Name;
        if (survivor.Email == after.Email) survivor.Email = before.Email;
        if (survivor.Phone == after.Phone) survivor.Phone = before.Phone;
        if (survivor.Company == after.Company) survivor.Company = before.Company;
        if (survivor.Country == after.Country) survivor.Country = before.Country;
        if (survivor.City == after.City) survivor.City = before.City;
        if (survivor.Address == after.Address) survivor.Address = before.Address;
        if (survivor.Kind == after.Kind) survivor.Kind = before.Kind;
        if (survivor.Tags.SequenceEqual(after.Tags)) survivor.Tags = before.Tags;
        survivor.CreatedAt = before.CreatedAt;
    }

    public static JsonObject Fields(Customer c) => new()
    {
        ["id"] = c.Id,
        ["kind"] = c.Kind.ToString(),
        ["name"] = c.Name,
        ["email"] = c.Email,
        ["phone"] = c.Phone,
        ["company"] = c.Company,
        ["country"] = c.Country,
        ["city"] = c.City,
        ["address"] = c.Address,
        ["tags"] = new JsonArray([.. c.Tags.Select(t => JsonValue.Create(t))]),
        ["createdAt"] = c.CreatedAt,
    };

    private static Customer FromFields(JsonObject o) => new()
    {
        Kind = Enum.Parse<CustomerKind>(o["kind"]!.GetValue<string>()),
        Name = o["name"]!.GetValue<string>(),
        Email = o["email"]?.GetValue<string>(),
        Phone = o["phone"]?.GetValue<string>(),
        Company = o["company"]?.GetValue<string>(),
        Country = o["country"]?.GetValue<string>(),
        City = o["city"]?.GetValue<string>(),
        Address = o["address"]?.GetValue<string>(),
        Tags = o["tags"]?.Deserialize<List<string>>(Json) ?? [],
        CreatedAt = o["createdAt"]!.GetValue<DateTime>(),
    };
}
