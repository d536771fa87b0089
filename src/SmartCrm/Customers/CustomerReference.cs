using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

/// <summary>
/// The check every record that belongs to a customer makes before it is written: the customer exists. Each folder's
/// record rules call it from their Check (Records/RecordApi.cs), after their own checks.
/// </summary>
public static class CustomerReference
{
    /// <summary>No errors when <paramref name="customerId"/> is empty or names a customer; otherwise the error for "customerId".</summary>
    public static async Task<Dictionary<string, string[]>> CheckAsync(long? customerId, CrmDb db, CancellationToken cancellationToken) =>
        customerId is { } id && !await db.Customers.AnyAsync(c => c.Id == id, cancellationToken)
            ? new() { ["customerId"] = [$"No customer with id {id}."] }
            : [];

    /// <summary>The input's own checks first; the customer only when they pass (one answer names one kind of problem).</summary>
    public static async Task<Dictionary<string, string[]>> CheckAsync(Dictionary<string, string[]> own, long? customerId, CrmDb db, CancellationToken cancellationToken) =>
        own.Count > 0 ? own : await CheckAsync(customerId, db, cancellationToken);
}
