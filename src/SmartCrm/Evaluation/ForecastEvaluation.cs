using System.Diagnostics;
using System.Globalization;
using SmartCrm.Analytics.Evaluation;
using SmartCrm.Analytics.Forecasting;
using SmartCrm.Records;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval forecast`: peers.py's SARIMA(0,1,1)(0,1,1)12 on log AirPassengers (train on all but the last 12 months), the
/// automatic order selection on the whole log series (auto.arima picks (0,1,1)(0,1,1)[12]), and on every series in
/// timeseries/ a holdout comparison of auto-selected ARIMA, ETS and the seasonal naive forecast.
/// </summary>
internal sealed class ForecastEvaluation : IEvaluationTask
{
    private const string Task = "forecast";

    public string Name => Task;

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var folder = context.PathOf("timeseries");
        var air = ReadSeries(Path.Combine(folder, "airpassengers.csv"));
        var logAir = Array.ConvertAll(air.Values, Math.Log);
        ReplicatePeer(context, logAir);
        TimeWarmFits(context, logAir);
        SelectOnWholeSeries(context, logAir, cancellationToken);

        foreach (var file in Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileNameWithoutExtension(file);
            var series = ReadSeries(file);
            // AirPassengers is modelled in logs, as peers.py does; the other series as they are.
            var logScale = name == "airpassengers";
            CompareOnHoldout(context, name, series, logScale, cancellationToken);
        }
        return System.Threading.Tasks.Task.CompletedTask;
    }

    /// <summary>The same fit and figures as peers.py's forecast task, with its keys.</summary>
    private static void ReplicatePeer(EvaluationContext context, double[] logAir)
    {
        var stopwatch = Stopwatch.StartNew();
        var train = logAir[..^12];
        var model = Arima.Fit(train, new ArimaOrder(0, 1, 1, 0, 1, 1, 12));
        var forecast = model.Forecast(12).Map(Math.Exp);
        var actual = Array.ConvertAll(logAir[^12..], Math.Exp);
        var mape = Metrics.Mape(actual, forecast.Mean);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        context.Report(Task,
            ("dataset", "airpassengers"),
            ("model", "SARIMA(0,1,1)(0,1,1)12 log"),
            ("ma1", Math.Round(model.Ma[0], 4)),
            ("sma1", Math.Round(model.SeasonalMa[0], 4)),
            ("aic", Math.Round(model.Aic, 2)),
            ("holdout_mape", Math.Round(mape, 4)),
            ("seconds", Math.Round(seconds, 3)));
    }

    /// <summary>
    /// The peer line's time includes compiling our code on first use (the JIT); this line is the same fit and forecast
    /// once the process is warm, the median of 20 runs.
    /// </summary>
    private static void TimeWarmFits(EvaluationContext context, double[] logAir)
    {
        var train = logAir[..^12];
        var times = new double[20];
        for (var run = 0; run < times.Length; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            Arima.Fit(train, new ArimaOrder(0, 1, 1, 0, 1, 1, 12)).Forecast(12);
            times[run] = stopwatch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        context.Report(Task,
            ("dataset", "airpassengers"),
            ("model", "SARIMA(0,1,1)(0,1,1)12_log"),
            ("timing", "warm_median_of_20"),
            ("seconds", Math.Round(times[times.Length / 2], 4)));
    }

    /// <summary>auto.arima on the whole log series: R picks ARIMA(0,1,1)(0,1,1)[12], ma1 −0.4018, sma1 −0.5569, AIC −483.4.</summary>
    private static void SelectOnWholeSeries(EvaluationContext context, double[] logAir, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var selection = AutoArima.Search(logAir, 12, cancellationToken: cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var model = selection.Model;
        context.Report(Task,
            ("dataset", "airpassengers"),
            ("model", "auto.arima"),
            ("transform", "log"),
            ("fit", "whole"),
            ("order", model.ToString().Replace(' ', '_')),
            ("ma1", model.Ma.Count > 0 ? Math.Round(model.Ma[0], 4) : double.NaN),
            ("sma1", model.SeasonalMa.Count > 0 ? Math.Round(model.SeasonalMa[0], 4) : double.NaN),
            ("aic", Math.Round(model.Aic, 2)),
            ("aicc", Math.Round(model.Aicc, 2)),
            ("models", selection.Candidates.Count),
            ("seconds", Math.Round(seconds, 3)));
    }

    /// <summary>Auto ARIMA, ETS and seasonal naive trained on all but the last season (two for quarterly data).</summary>
    private static void CompareOnHoldout(EvaluationContext context, string name, TimeSeries series, bool logScale, CancellationToken cancellationToken)
    {
        var period = series.Period;
        var horizon = period >= 12 ? period : 2 * period;
        var values = logScale ? Array.ConvertAll(series.Values, Math.Log) : series.Values;
        var train = values[..^horizon];
        var actual = series.Values[^horizon..];
        var trainOriginal = series.Values[..^horizon];
        Func<double, double> back = logScale ? Math.Exp : v => v;
        var transform = logScale ? "log" : "none";

        void Report(string model, string form, Forecast forecast, double seconds, params (string, object?)[] extra)
        {
            var original = forecast.Map(back);
            var inside = 0;
            for (var i = 0; i < horizon; i++) if (actual[i] >= original.Lower[i] && actual[i] <= original.Upper[i]) inside++;
            context.Report(Task, [
                ("dataset", name), ("model", model), ("transform", transform), ("holdout", horizon), ("form", form), .. extra,
                ("holdout_mape", Math.Round(Metrics.Mape(actual, original.Mean), 4)),
                ("mase", Math.Round(Metrics.Mase(trainOriginal, actual, original.Mean, period), 4)),
                ("coverage95", Math.Round((double)inside / horizon, 3)),
                ("seconds", Math.Round(seconds, 3))]);
        }

        var stopwatch = Stopwatch.StartNew();
        var selection = AutoArima.Search(train, period, cancellationToken: cancellationToken);
        var arimaForecast = selection.Model.Forecast(horizon);
        Report("auto.arima", selection.Model.ToString().Replace(' ', '_'), arimaForecast, stopwatch.Elapsed.TotalSeconds,
            ("models", selection.Candidates.Count), ("approximation", selection.Approximation ? "css" : "off"));

        stopwatch.Restart();
        var ets = Ets.Select(train, period, cancellationToken: cancellationToken);
        var etsForecast = ets.Forecast(horizon);
        Report("ETS", ets.ToString(), etsForecast, stopwatch.Elapsed.TotalSeconds);

        stopwatch.Restart();
        var naive = SeasonalNaive.Forecast(train, period, horizon);
        Report("SeasonalNaive", "snaive", naive, stopwatch.Elapsed.TotalSeconds);
    }

    private sealed record TimeSeries(double[] Values, int Period);

    /// <summary>Reads a two-column series; the period comes from the time column ("1949-01" is monthly, decimal years give 1/step).</summary>
    private static TimeSeries ReadSeries(string path)
    {
        var (_, rows) = CsvRows.Read(path);
        var values = rows.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
        int period;
        if (rows[0][0].Contains('-', StringComparison.Ordinal)) period = 12;
        else
        {
            var step = double.Parse(rows[1][0], CultureInfo.InvariantCulture) - double.Parse(rows[0][0], CultureInfo.InvariantCulture);
            period = (int)Math.Round(1 / step);
        }
        return new TimeSeries(values, period);
    }
}
