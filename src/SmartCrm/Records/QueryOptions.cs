using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace SmartCrm.Records;

/// <summary>Filtering (`?status=Open&amp;customerId=7`), sorting (`?sort=-createdAt`) and paging of any record list.</summary>
public static class QueryOptions
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "page", "pageSize", "sort", "q", "allowDuplicate" };

    public static (IQueryable<T>? Query, ProblemHttpResult? Error) Filter<T>(IQueryable<T> query, IQueryCollection parameters)
    {
        foreach (var (key, values) in parameters)
        {
            if (Reserved.Contains(key)) continue;
            var property = Find<T>(key);
            if (property is null || !IsFilterable(property.PropertyType))
            {
                return (null, Problems.Field(key, $"Unknown filter. Filters: {string.Join(", ", typeof(T).GetProperties().Where(p => IsFilterable(p.PropertyType)).Select(p => Camel(p.Name)))}."));
            }
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (!TryParse(values.ToString(), type, out var value)) return (null, Problems.Field(key, $"'{values}' is not a valid {type.Name}."));
            query = query.Where(Equal<T>(property, value));
        }
        return (query, null);
    }

    public static (IQueryable<T>? Query, ProblemHttpResult? Error) Sort<T>(IQueryable<T> query, string? sort)
    {
        var descending = sort?.StartsWith('-') == true;
        var name = string.IsNullOrWhiteSpace(sort) ? "Id" : sort.TrimStart('-', '+');
        var property = Find<T>(name);
        if (property is null || !IsFilterable(property.PropertyType)) return (null, Problems.Field("sort", $"Cannot sort by '{name}'."));
        var parameter = Expression.Parameter(typeof(T), "e");
        var key = Expression.Lambda(Expression.Property(parameter, property), parameter);
        var method = (descending ? OrderByDescending : OrderBy).MakeGenericMethod(typeof(T), property.PropertyType);
        var ordered = (IOrderedQueryable<T>)method.Invoke(null, [query, key])!;
        // Ties broken by id so pages never overlap or skip rows; in the same direction, so one index on the sorted column,
        // read forwards or backwards, gives the whole order (the newest first among equals when descending).
        if (property.Name != "Id") ordered = descending ? ordered.ThenByDescending(e => EF.Property<long>(e!, "Id")) : ordered.ThenBy(e => EF.Property<long>(e!, "Id"));
        return (ordered, null);
    }

    /// <summary>True when the request has no field filters (only paging, sorting and search).</summary>
    public static bool HasNoFilters(IQueryCollection parameters) => parameters.Keys.All(Reserved.Contains);

    public const int DefaultPageSize = 25;

    /// <summary>The furthest row a page may start at.</summary>
    public const int MaxOffset = 100_000_000;

    /// <summary>One page of <paramref name="query"/>; <paramref name="knownTotal"/> saves the count when the caller has it cheaper.</summary>

    public static async Task<Results<Ok<ListPage<T>>, ProblemHttpResult>> PageAsync<T>(IQueryable<T> query, int? page, int? pageSize, CancellationToken cancellationToken,
        int? knownTotal = null)
    {
        var p = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (p < 1) return Problems.Field("page", "Pages start at 1.");
        if (size < 1 || size > RecordApi.MaxPageSize) return Problems.Field("pageSize", $"Page size must be between 1 and {RecordApi.MaxPageSize}.");
        // The offset is an int in the query: a page far enough out would wrap around to a negative one.
        if ((long)(p - 1) * size > MaxOffset) return Problems.Field("page", "Pages go no further than row 100,000,000.");
        var total = knownTotal ?? await query.CountAsync(cancellationToken);
        var items = await query.Skip((p - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ListPage<T>(items, total, p, size));
    }

    private static readonly MethodInfo OrderBy = typeof(Queryable).GetMethods().Single(m => m.Name == "OrderBy" && m.GetParameters().Length == 2);
    private static readonly MethodInfo OrderByDescending = typeof(Queryable).GetMethods().Single(m => m.Name == "OrderByDescending" && m.GetParameters().Length == 2);

    private static PropertyInfo? Find<T>(string name) =>
        typeof(T).GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { CanWrite: true } p ? p : null;

    private static bool IsFilterable(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum || type == typeof(string) || type == typeof(long) || type == typeof(int) || type == typeof(bool)
            || type == typeof(DateTime) || type == typeof(decimal);
    }

    private static bool TryParse(string text, Type type, out object? value)
    {
        value = null;
        if (type == typeof(string)) { value = text; return true; }
        if (type.IsEnum) return Enum.TryParse(type, text, ignoreCase: true, out value) && Enum.IsDefined(type, value!);
        if (type == typeof(long) && long.TryParse(text, out var l)) { value = l; return true; }
        if (type == typeof(int) && int.TryParse(text, out var i)) { value = i; return true; }
        if (type == typeof(bool) && bool.TryParse(text, out var b)) { value = b; return true; }
        if (type == typeof(decimal) && decimal.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var d)) { value = d; return true; }
        if (type == typeof(DateTime) && DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
        {
            value = t;
            return true;
        }
        return false;
    }

    private static Expression<Func<T, bool>> Equal<T>(PropertyInfo property, object? value)
    {
        var parameter = Expression.Parameter(typeof(T), "e");
        // A member of a closure object, not a constant, so EF sends a parameter and reuses the query plan.
        var box = Activator.CreateInstance(typeof(Box<>).MakeGenericType(property.PropertyType))!;
        box.GetType().GetProperty("Value")!.SetValue(box, value);
        var right = Expression.Property(Expression.Constant(box), "Value");
        return Expression.Lambda<Func<T, bool>>(Expression.Equal(Expression.Property(parameter, property), right), parameter);
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private sealed class Box<TValue>
    {
        public TValue? Value { get; set; }
    }
}
