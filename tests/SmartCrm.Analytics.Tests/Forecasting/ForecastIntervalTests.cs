using FsCheck.Xunit;
using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class ForecastIntervalTests
{
    private static readonly ArimaOrder[] Orders =
    [
        new(1, 0, 0), new(0, 0, 1), new(1, 0, 1), new(2, 0, 0), new(0, 1, 1), new(1, 1, 0), new(0, 1, 1, 0, 1, 1, 4), new(1, 0, 0, 1, 0, 0, 4),
    ];

    [Property(MaxTest = 40)]
    public bool Arima_intervals_widen_with_horizon(int seed)
    {
        var random = new Random(seed);
        var order = Orders[random.Next(Orders.Length)];
        var w = Series.SimulateArma(80, [0.5 * random.NextDouble()], [0.6 * random.NextDouble() - 0.3], seed);
        var y = order.D + order.SeasonalD > 0 ? Series.Integrate(w, 100) : w;

        var forecast = Arima.Fit(y, order).Forecast(16);

        for (var h = 1; h < forecast.Horizon; h++)
            if (forecast.Upper[h] - forecast.Lower[h] < forecast.Upper[h - 1] - forecast.Lower[h - 1] - 1e-9) return false;
        return forecast.Upper[0] > forecast.Mean[0] && forecast.Lower[0] < forecast.Mean[0];
    }

    [Property(MaxTest = 40)]
    public bool Wider_level_gives_wider_interval(int seed)
    {
        var y = Series.SimulateArma(60, [0.4], [], seed);
        var model = Arima.Fit(y, new ArimaOrder(1, 0, 0));

        var narrow = model.Forecast(4, 0.8);
        var wide = model.Forecast(4, 0.95);

        return Enumerable.Range(0, 4).All(h => wide.Upper[h] - wide.Lower[h] > narrow.Upper[h] - narrow.Lower[h]);
    }
}
