using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Records;

/// <summary>One page of a list: the shape every list endpoint answers with.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

/// <summary>How one record type is read, checked, created and changed through the API.</summary>
public sealed class RecordRules<TEntity, TInput> where TEntity : class where TInput : class
{
    public required string ReadPermission { get; init; }
    public required string WritePermission { get; init; }
    public required Func<TInput, TEntity> Create { get; init; }
    public required Action<TInput, TEntity> Apply { get; init; }
    /// <summary>
    /// Checks that need the database, field name → messages: the records the input refers to exist (the customer it belongs to,
    /// see Customers/CustomerReference.cs), a value is not taken. Run once the input's own annotations hold.
    /// </summary>
    public Func<TInput, CrmDb, CancellationToken, Task<Dictionary<string, string[]>>>? Check { get; init; }
    /// <summary>Completes a valid input from the database (e.g. catalogue prices) before it is applied.</summary>
    public Func<TInput, CrmDb, CancellationToken, Task<TInput>>? Prepare { get; init; }
    /// <summary>Free-text search for `q`.</summary>
    public Func<IQueryable<TEntity>, string, CrmDb, IQueryable<TEntity>>? Search { get; init; }
    /// <summary>
    /// The search when the list needs only its first N matches in id order (no filters, default order): a search index that
    /// yields matches in id order can stop there instead of handing over every match. Null uses <see cref="Search"/>.
    /// </summary>
    public Func<IQueryable<TEntity>, string, int, CrmDb, IQueryable<TEntity>>? SearchFirst { get; init; }
    /// <summary>The number of records a search alone matches, where the search index counts faster than the query; null falls back.</summary>
    public Func<string, CrmDb, CancellationToken, Task<int?>>? SearchCount { get; init; }
    /// <summary>
    /// The records of customers in a segment (`?segment=N`), for lists whose rows belong to a customer: the segment is the
    /// customer's, so it is no column of the record and <see cref="QueryOptions.Filter{T}"/> cannot see it.
    /// </summary>
    public Func<IQueryable<TEntity>, int, CrmDb, IQueryable<TEntity>>? InSegment { get; init; }
    /// <summary>Related rows loaded with a single record (GET by id, create, update).</summary>
    public Func<IQueryable<TEntity>, IQueryable<TEntity>>? Detail { get; init; }
    /// <summary>Runs after a delete is committed (e.g. to forget a cached credential).</summary>
    public Action<TEntity, IServiceProvider>? AfterDelete { get; init; }
    /// <summary>Answers before the insert, e.g. 409 for a duplicate; null lets the create go on.</summary>
    public Func<TInput, HttpContext, CrmDb, CancellationToken, Task<IResult?>>? BeforeCreate { get; init; }
}

public static class RecordApi
{
    public const int MaxPageSize = 500;

    /// <summary>The permission every delete asks for, whatever the record (Security grants it to roles as Permissions.Delete).</summary>
    public const string DeletePermission = "records.delete";

    /// <summary>The query parameter of <see cref="RecordRules{TEntity, TInput}.InSegment"/>.</summary>
    public const string SegmentFilter = "segment";

    /// <summary>GET list, GET by id, POST, PUT, DELETE for one record type under <paramref name="path"/>.</summary>
    public static RouteGroupBuilder MapRecords<TEntity, TInput>(this IEndpointRouteBuilder api, string path, RecordRules<TEntity, TInput> rules)
        where TEntity : class where TInput : class
    {
        var name = typeof(TEntity).Name;
        var group = api.MapGroup(path).WithTags(name);

        group.MapGet("/", async Task<Results<Ok<ListPage<TEntity>>, ProblemHttpResult>> (HttpContext http, CrmDb db, int? page, int? pageSize, string? sort, string? q, CancellationToken cancellationToken) =>
        {
            var query = db.Set<TEntity>().AsQueryable();
            int? total = null;
            if (!string.IsNullOrWhiteSpace(q))
            {
                if (rules.Search is null) return Problems.Field("q", "This list has no text search.");
                var unfiltered = QueryOptions.HasNoFilters(http.Request.Query);
                var first = (page ?? 1) * (long)(pageSize ?? QueryOptions.DefaultPageSize);
                query = rules.SearchFirst is not null && unfiltered && string.IsNullOrWhiteSpace(sort) && first is > 0 and <= int.MaxValue
                    ? rules.SearchFirst(query, q.Trim(), (int)first, db)
                    : rules.Search(query, q.Trim(), db);
                if (rules.SearchCount is not null && unfiltered) total = await rules.SearchCount(q.Trim(), db, cancellationToken);
            }
            var parameters = http.Request.Query;
            if (rules.InSegment is not null && parameters.TryGetValue(SegmentFilter, out var segmentText))
            {
                if (!int.TryParse(segmentText.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var segment))
                    return Problems.Field(SegmentFilter, $"'{segmentText}' is not a segment number.");
                query = rules.InSegment(query, segment, db);
                parameters = new QueryCollection(parameters.Where(p => p.Key != SegmentFilter).ToDictionary(p => p.Key, p => p.Value));
            }
            var filtered = QueryOptions.Filter(query, parameters);
            if (filtered.Error is { } filterError) return filterError;
            var sorted = QueryOptions.Sort(filtered.Query!, sort);
            if (sorted.Error is { } sortError) return sortError;
            return await QueryOptions.PageAsync(sorted.Query!, page, pageSize, cancellationToken, total);
        }).RequireAuthorization(rules.ReadPermission).WithName("List" + name);

        group.MapGet("/{id:long}", async Task<Results<Ok<TEntity>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
            await FindAsync(db, rules, id, cancellationToken) is { } entity ? TypedResults.Ok(entity) : Problems.NotFound(name, id))
            .RequireAuthorization(rules.ReadPermission).WithName("Get" + name);

        group.MapPost("/", async Task<IResult> (TInput input, HttpContext http, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (await ValidateAsync(input, rules, db, cancellationToken) is { } invalid) return invalid;
            if (rules.BeforeCreate is not null && await rules.BeforeCreate(input, http, db, cancellationToken) is { } early) return early;
            if (rules.Prepare is not null) input = await rules.Prepare(input, db, cancellationToken);
            var entity = rules.Create(input);
            db.Add(entity);
            await db.SaveChangesAsync(cancellationToken);
            // The saved entity itself, not a fresh read: it carries what exists only at creation (a device's access token).
            return TypedResults.Created($"{http.Request.PathBase}/api/v1{path}/{IdOf(db, entity)}", entity);
        }).RequireAuthorization(rules.WritePermission).WithName("Create" + name);

        group.MapPut("/{id:long}", async Task<IResult> (long id, TInput input, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (await ValidateAsync(input, rules, db, cancellationToken) is { } invalid) return invalid;
            var entity = await (rules.Detail?.Invoke(db.Set<TEntity>()) ?? db.Set<TEntity>()).AsTracking()
                .FirstOrDefaultAsync(e => EF.Property<long>(e, "Id") == id, cancellationToken);
            if (entity is null) return Problems.NotFound(name, id);
            if (rules.Prepare is not null) input = await rules.Prepare(input, db, cancellationToken);
            rules.Apply(input, entity);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(await FindAsync(db, rules, id, cancellationToken));
        }).RequireAuthorization(rules.WritePermission).WithName("Update" + name);

        group.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, CrmDb db, HttpContext http, CancellationToken cancellationToken) =>
        {
            var entity = await db.Set<TEntity>().AsTracking().FirstOrDefaultAsync(e => EF.Property<long>(e, "Id") == id, cancellationToken);
            if (entity is null) return Problems.NotFound(name, id);
            db.Remove(entity);
            await db.SaveChangesAsync(cancellationToken);
            rules.AfterDelete?.Invoke(entity, http.RequestServices);
            return TypedResults.NoContent();
        }).RequireAuthorization(DeletePermission).WithName("Delete" + name);

        return group;
    }

    private static Task<TEntity?> FindAsync<TEntity, TInput>(CrmDb db, RecordRules<TEntity, TInput> rules, long id, CancellationToken cancellationToken)
        where TEntity : class where TInput : class =>
        (rules.Detail?.Invoke(db.Set<TEntity>()) ?? db.Set<TEntity>()).FirstOrDefaultAsync(e => EF.Property<long>(e, "Id") == id, cancellationToken);

    private static long IdOf(CrmDb db, object entity) => (long)db.Entry(entity).Property("Id").CurrentValue!;

    private static async Task<IResult?> ValidateAsync<TEntity, TInput>(TInput input, RecordRules<TEntity, TInput> rules, CrmDb db, CancellationToken cancellationToken)
        where TEntity : class where TInput : class
    {
        var errors = Validate(input);
        if (errors.Count == 0 && rules.Check is not null)
        {
            foreach (var (key, value) in await rules.Check(input, db, cancellationToken)) errors[key] = value;
        }
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    /// <summary>
    /// DataAnnotations on the input, keyed by the JSON (camelCase) field name, nested lists as `lines[0].quantity`; and what no
    /// annotation says: every string free of NULs, control characters and half surrogate pairs (<see cref="InputText"/>), the
    /// strings of a list each within <see cref="EachMaxLengthAttribute"/>, JSON documents within their bounds.
    /// </summary>
    public static Dictionary<string, string[]> Validate(object input, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var property in input.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var field = prefix + JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var value = property.GetValue(input);
            var results = new List<ValidationResult>();
            try
            {
                Validator.TryValidateProperty(value, new ValidationContext(input) { MemberName = property.Name }, results);
            }
            catch (Exception e) when (e is OverflowException or InvalidCastException or FormatException or ArgumentException)
            {
                // An annotation that cannot even compare the value (a number beyond its type's range) has its answer all the same.
                results.Add(new ValidationResult("The value is out of range.", [property.Name]));
            }
            foreach (var result in results) Add(errors, field, result.ErrorMessage ?? "Invalid value.");
            switch (value)
            {
                case string text:
                    if (InputText.Problem(text) is { } problem) Add(errors, field, problem);
                    break;
                case JsonElement json:
                    InputText.CheckJson(json, field, errors);
                    break;
                case System.Collections.IEnumerable items when property.PropertyType.IsGenericType:
                    var each = property.GetCustomAttribute<EachMaxLengthAttribute>();
                    var index = 0;
                    foreach (var item in items)
                    {
                        var at = $"{field}[{index}]";
                        if (item is string text)
                        {
                            if (InputText.Problem(text) is { } bad) Add(errors, at, bad);
                        }
                        else if (item is not null && !item.GetType().IsPrimitive)
                        {
                            foreach (var (key, messages) in Validate(item, at + ".")) errors[key] = messages;
                        }
                        index++;
                    }
                    if (each is not null)
                    {
                        foreach (var (i, message) in each.Check(items)) Add(errors, $"{field}[{i}]", message);
                    }
                    break;
            }
        }
        return errors;
    }

    private static void Add(Dictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var known) ? [.. known, message] : [message];
}
