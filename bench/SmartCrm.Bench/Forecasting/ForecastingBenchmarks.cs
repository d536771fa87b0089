using System.Globalization;
using BenchmarkDotNet.Attributes;
using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Bench.Forecasting;

/// <summary>
/// The forecasting hot paths on log AirPassengers: one SARIMA(0,1,1)(0,1,1)12 fit (peers.py times statsmodels on the
/// same fit), the whole auto.arima search, and ETS selection.
/// `dotnet run -c Release --project bench/SmartCrm.Bench -- --filter '*Forecasting*'`
/// </summary>
[MemoryDiagnoser]
public class ForecastingBenchmarks
{
    private double[] _logAir = [];
    private double[] _train = [];

    [GlobalSetup]
    public void Load()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "shared", "data", "timeseries", "airpassengers.csv");
            if (!File.Exists(file)) continue;
            _logAir = File.ReadAllLines(file).Skip(1).Where(l => l.Length > 0)
                .Select(l => Math.Log(double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))).ToArray();
            _train = _logAir[..^12];
            return;
        }
        throw new FileNotFoundException("shared/data/timeseries/airpassengers.csv not found above " + Directory.GetCurrentDirectory());
    }

    [Benchmark]
    public double AirlineModelFitAndForecast() => Arima.Fit(_train, new ArimaOrder(0, 1, 1, 0, 1, 1, 12)).Forecast(12).Mean[^1];

    [Benchmark]
    public ArimaOrder AutoArimaWholeSeries() => AutoArima.Fit(_logAir, 12).Order;

    [Benchmark]
    public EtsForm EtsSelection() => Ets.Select(_train, 12).Form;
}
