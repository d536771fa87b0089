using System.Linq.Expressions;

namespace SmartCrm.Web;

/// <summary>The sort a list was asked for (`?sort=due`, `?sort=-due`), as a column header shows it.</summary>
public readonly record struct SortState(string Key, bool Descending);

/// <summary>
/// The orders a console list offers, by name, each ending in the list's own tie-breaker (usually the id) so that pages never
/// overlap or skip rows. Unknown names fall back to the default order: a sort parameter never causes an error.
/// </summary>
public sealed class SortOrder<T>
{
    private readonly Dictionary<string, (Func<IQueryable<T>, bool, IOrderedQueryable<T>> Apply, bool DescendingFirst)> _orders = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<IOrderedQueryable<T>, IOrderedQueryable<T>> _tieBreak;
    private readonly string _default;

    public SortOrder(string defaultKey, Func<IOrderedQueryable<T>, IOrderedQueryable<T>> tieBreak)
    {
        _default = defaultKey;
        _tieBreak = tieBreak;
    }

    /// <summary>A column; <paramref name="descendingFirst"/> for columns people read newest or largest first.</summary>
    public SortOrder<T> By<TKey>(string key, Expression<Func<T, TKey>> by, bool descendingFirst = false)
    {
        _orders[key] = ((query, descending) => descending ? query.OrderByDescending(by) : query.OrderBy(by), descendingFirst);
        return this;
    }

    /// <summary>A column with empty values, which come last in both directions on every database.</summary>
    public SortOrder<T> ByNullsLast<TKey>(string key, Expression<Func<T, TKey?>> by, bool descendingFirst = false) where TKey : struct
    {
        var isNull = Expression.Lambda<Func<T, bool>>(Expression.Equal(by.Body, Expression.Constant(null, typeof(TKey?))), by.Parameters);
        _orders[key] = ((query, descending) => descending ? query.OrderBy(isNull).ThenByDescending(by) : query.OrderBy(isNull).ThenBy(by), descendingFirst);
        return this;
    }

    /// <summary>An order of several keys (e.g. priority, then due date).</summary>
    public SortOrder<T> Custom(string key, Func<IQueryable<T>, bool, IOrderedQueryable<T>> apply, bool descendingFirst = false)
    {
        _orders[key] = (apply, descendingFirst);
        return this;
    }

    public bool DescendingFirst(string key) => _orders.TryGetValue(key, out var order) && order.DescendingFirst;

    public SortState Parse(string? sort)
    {
        var descending = sort?.StartsWith('-') == true;
        var key = sort?.TrimStart('-', '+') ?? "";
        return _orders.ContainsKey(key) ? new SortState(key.ToLowerInvariant(), descending) : new SortState(_default, DescendingFirst(_default));
    }

    public IQueryable<T> Apply(IQueryable<T> query, SortState sort) => _tieBreak(_orders[sort.Key].Apply(query, sort.Descending));
}
