using System.Linq.Expressions;

namespace SmartCrm.Customers;

/// <summary>
/// "Its customer is in segment N", for any list whose rows name a customer (tickets, devices, orders): one subquery on the
/// customers, so the API's <c>?segment=</c> and the console's segment filter cannot drift apart.
/// </summary>
public static class SegmentMembership
{
    /// <summary>The rows whose customer (<paramref name="customerId"/>) is in <paramref name="segment"/>.</summary>
    public static IQueryable<T> InSegment<T>(this IQueryable<T> rows, IQueryable<Customer> customers, int segment, Expression<Func<T, long>> customerId) =>
        rows.Where(Of(customers, segment, customerId));

    /// <summary>The rows whose customer, if they have one, is in <paramref name="segment"/>; rows without a customer are left out.</summary>
    public static IQueryable<T> InSegment<T>(this IQueryable<T> rows, IQueryable<Customer> customers, int segment, Expression<Func<T, long?>> customerId) =>
        rows.Where(Of(customers, segment, customerId));

    /// <summary>The condition itself: <c>row => customers.Any(c => c.Id == customerId(row) &amp;&amp; c.Segment == segment)</c>.</summary>
    private static Expression<Func<T, bool>> Of<T, TId>(IQueryable<Customer> customers, int segment, Expression<Func<T, TId>> customerId)
    {
        // Built by hand because a selector cannot be called inside an EF query: its body is put where the customer id goes.
        var customer = Expression.Parameter(typeof(Customer), "c");
        Expression id = Expression.Property(customer, nameof(Customer.Id));
        if (typeof(TId) != typeof(long)) id = Expression.Convert(id, typeof(TId));
        // The segment as a captured variable, not a constant: EF sends it as a parameter, so one query plan serves every segment.
        Expression<Func<int?>> wanted = () => segment;
        var match = Expression.Lambda<Func<Customer, bool>>(
            Expression.AndAlso(
                Expression.Equal(id, customerId.Body),
                Expression.Equal(Expression.Property(customer, nameof(Customer.Segment)), wanted.Body)),
            customer);
        var any = Expression.Call(typeof(Queryable), nameof(Queryable.Any), [typeof(Customer)], customers.Expression, Expression.Quote(match));
        return Expression.Lambda<Func<T, bool>>(any, customerId.Parameters);
    }
}
