using Microsoft.EntityFrameworkCore;
using SmartCrm.Analytics.Clustering;
using SmartCrm.Orders;
using SmartCrm.Storage;

namespace SmartCrm.Overview;

/// <summary>
/// Quintile breakpoints of recency, frequency and spend over all customers with orders, recomputed every ten minutes: scoring
/// one customer must not scan every order. The breakpoints and the scoring are the analytics library's RFM rule
/// (<see cref="Rfm.QuintileBreakpoints"/>), so a customer's page shows the scores a segmentation of all customers gives them.
/// </summary>
public sealed class ValueBreakpoints(IServiceScopeFactory scopes, TimeProvider clock) : IDisposable
{
    /// <summary>Breakpoints for <see cref="Rfm.QuintileScore"/>; recency's are of days since the last order, smaller is better.</summary>
    public sealed record Snapshot(double[] RecencyDays, double[] Frequency, double[] Monetary, DateTime ComputedAt);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _current;

    public async Task<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_current is { } fresh && now - fresh.ComputedAt < TimeSpan.FromMinutes(10)) return fresh;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && now - again.ComputedAt < TimeSpan.FromMinutes(10)) return again;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
            var rows = await db.Orders.Where(o => o.Status != OrderStatus.Cancelled).GroupBy(o => o.CustomerId)
                .Select(g => new { Last = g.Max(o => o.OrderedAt), Count = g.Count(), Sum = g.Sum(o => o.Total) })
                .ToListAsync(cancellationToken);
            _current = new Snapshot(
                Breakpoints(rows.Select(r => Math.Max(0, (now - r.Last).TotalDays)).ToArray(), higherIsBetter: false),
                Breakpoints(rows.Select(r => (double)r.Count).ToArray(), higherIsBetter: true),
                Breakpoints(rows.Select(r => (double)r.Sum).ToArray(), higherIsBetter: true),
                now);
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>No orders yet (the snapshot is older than the customer's first one): every figure scores 1, as the only one would.</summary>
    private static double[] Breakpoints(double[] values, bool higherIsBetter) =>
        values.Length == 0 ? [double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity] : Rfm.QuintileBreakpoints(values, higherIsBetter);
}
