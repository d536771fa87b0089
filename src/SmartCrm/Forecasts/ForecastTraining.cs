using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Models;
using SmartCrm.Storage;

namespace SmartCrm.Forecasts;

/// <summary>
/// Trains one kind of forecast as a model: reads every subject's weekly history, forecasts each with the automatic selection,
/// and scores the version by the mean MASE over the held-out weeks of the series long enough to hold weeks out (lower is
/// better; below 1 beats the naive forecast). When the version activates, its series and points replace the kind's.
/// </summary>
public abstract class ForecastTraining(IDbContextFactory<CrmDb> contexts, IOptions<ForecastsOptions> options, TimeProvider clock, ILogger logger) : ModelTraining
{
    private (List<ForecastSeries> Rows, List<List<ForecastPoint>> Points)? _trained;

    /// <summary>"demand", "revenue" or "usage".</summary>
    protected abstract string SeriesKind { get; }

    public override string Kind => ForecastKinds.Model(SeriesKind);

    protected ForecastsOptions Settings => options.Value;

    /// <summary>Every subject's weeks from <paramref name="from"/> (a week start) to before <paramref name="to"/>.</summary>
    protected abstract Task<List<WeeklySeries>> ReadAsync(CrmDb db, DateTime start, DateTime end, CancellationToken cancellationToken);

    public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var to = Weeks.Start(now);
        var from = to.AddDays(-7 * settings.HistoryWeeks);
        await progress.ReportAsync(0.02, "reading the weekly history", cancellationToken);
        List<WeeklySeries> series;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            series = await ReadAsync(db, from, to, cancellationToken);
        }
        if (series.Count == 0) throw new InvalidOperationException($"Nothing to forecast: no {SeriesKind} history in the last {settings.HistoryWeeks} weeks.");
        var rows = new List<ForecastSeries>(series.Count);
        var points = new List<List<ForecastPoint>>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            if (i % 20 == 0) await progress.ReportAsync(0.05 + 0.9 * i / series.Count, $"forecasting {i:N0} of {series.Count:N0}", cancellationToken);
            var s = series[i];
            var forecast = AutomaticForecast.Fit(s.Values, settings.HoldoutWeeks, settings.HorizonWeeks, settings.Level, cancellationToken);
            var row = new ForecastSeries
            {
                Kind = SeriesKind, SubjectId = s.SubjectId, Label = s.Label.Length > 200 ? s.Label[..200] : s.Label, Method = forecast.Method,
                Smape = Round(forecast.Smape), Mase = Round(forecast.Mase), NaiveSmape = Round(forecast.NaiveSmape), NaiveMase = Round(forecast.NaiveMase),
                Level = forecast.Level, ComputedAt = now,
            };
            if (s.Wear is { } wear) ConsumableDue.Describe(row, wear, s, forecast, to);
            var weeks = new List<ForecastPoint>(s.Values.Length + forecast.Mean.Length);
            for (var w = 0; w < s.Values.Length; w++) weeks.Add(new ForecastPoint { Week = s.FirstWeek.AddDays(7 * w), Actual = Math.Round(s.Values[w], 4) });
            var next = s.FirstWeek.AddDays(7 * s.Values.Length);
            for (var h = 0; h < forecast.Mean.Length; h++)
            {
                weeks.Add(new ForecastPoint { Week = next.AddDays(7 * h), Mean = Math.Round(forecast.Mean[h], 4), Lower = Math.Round(forecast.Lower[h], 4), Upper = Math.Round(forecast.Upper[h], 4) });
            }
            rows.Add(row);
            points.Add(weeks);
        }
        var measured = rows.Where(r => r.Mase is not null).ToList();
        if (measured.Count == 0)
            throw new InvalidOperationException($"No {SeriesKind} series has the {2 * settings.HoldoutWeeks + 8} weeks needed to hold {settings.HoldoutWeeks} out and measure a forecast.");
        var mase = measured.Average(r => r.Mase!.Value);
        var metrics = new Dictionary<string, double>
        {
            ["mase"] = Math.Round(mase, 4),
            ["smape"] = Math.Round(measured.Average(r => r.Smape!.Value), 4),
            ["naive_mase"] = Math.Round(measured.Average(r => r.NaiveMase!.Value), 4),
            ["naive_smape"] = Math.Round(measured.Average(r => r.NaiveSmape!.Value), 4),
            ["series"] = rows.Count,
            ["measured"] = measured.Count,
            ["arima"] = rows.Count(r => r.Method.StartsWith("ARIMA", StringComparison.Ordinal)),
            ["ets"] = rows.Count(r => r.Method.StartsWith("ETS", StringComparison.Ordinal)),
            ["naive"] = rows.Count(r => r.Method == AutomaticForecast.Naive),
            ["holdout_weeks"] = settings.HoldoutWeeks,
            ["horizon_weeks"] = settings.HorizonWeeks,
            ["level"] = settings.Level,
        };
        _trained = (rows, points);
        logger.LogInformation("Forecasts {Kind}: {Series} series, holdout MASE {Mase:0.###} (naive {Naive:0.###}), sMAPE {Smape:0.###}",
            SeriesKind, rows.Count, mase, metrics["naive_mase"], metrics["smape"]);
        var payload = JsonSerializer.SerializeToUtf8Bytes(rows.Select(r => new { r.SubjectId, r.Method, r.Mase, r.Smape }));
        return new ModelCandidate(Kind, "mase", mase, false, metrics, from, to, payload);
    }

    public override async Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_trained is not { } trained) return;
        _trained = null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Points go with their series (cascade).
        await db.ForecastSeries.Where(s => s.Kind == SeriesKind).ExecuteDeleteAsync(cancellationToken);
        foreach (var row in trained.Rows) row.ModelVersion = version.Version;
        foreach (var chunk in trained.Rows.Chunk(500))
        {
            db.ForecastSeries.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
        }
        var all = new List<ForecastPoint>();
        for (var i = 0; i < trained.Rows.Count; i++)
        {
            foreach (var point in trained.Points[i]) point.SeriesId = trained.Rows[i].Id;
            all.AddRange(trained.Points[i]);
        }
        db.ChangeTracker.Clear();
        foreach (var chunk in all.Chunk(5_000))
        {
            db.ForecastPoints.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
}
