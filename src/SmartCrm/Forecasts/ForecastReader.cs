using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Forecasts;

/// <summary>Reads the stored forecasts (computed when a forecast model version activates, never per request).</summary>
public sealed class ForecastReader(CrmDb db)
{
    /// <summary>The kind's series without their weeks: devices soonest due first, the others by label.</summary>
    public async Task<List<ForecastSeries>> ListAsync(string kind, CancellationToken cancellationToken)
    {
        var query = db.ForecastSeries.AsNoTracking().Where(s => s.Kind == kind);
        query = kind == ForecastKinds.Usage
            ? query.OrderBy(s => s.DueAt == null).ThenBy(s => s.DueAt).ThenBy(s => s.Id)
            : query.OrderBy(s => s.SubjectId == 0 ? 0 : 1).ThenBy(s => s.Label).ThenBy(s => s.SubjectId);
        return await query.ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The series a page opens on when none is chosen: the one with the most history (the best-selling product), not the
    /// first by name, which in the demo was a service sold a few times a month whose forecast says little.
    /// </summary>
    public async Task<long?> LargestAsync(string kind, CancellationToken cancellationToken) =>
        await db.ForecastSeries.AsNoTracking().Where(s => s.Kind == kind)
            .OrderByDescending(s => db.ForecastPoints.Where(p => p.SeriesId == s.Id).Sum(p => p.Actual ?? 0))
            .ThenBy(s => s.SubjectId)
            .Select(s => (long?)s.SubjectId)
            .FirstOrDefaultAsync(cancellationToken);

    public async Task<ForecastView?> FindAsync(string kind, long subjectId, CancellationToken cancellationToken)
    {
        var series = await db.ForecastSeries.AsNoTracking().FirstOrDefaultAsync(s => s.Kind == kind && s.SubjectId == subjectId, cancellationToken);
        if (series is null) return null;
        var points = await db.ForecastPoints.AsNoTracking().Where(p => p.SeriesId == series.Id).OrderBy(p => p.Week).ToListAsync(cancellationToken);
        return new ForecastView(series, points);
    }
}
