using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Forecasts;

/// <summary>Apps whose training job looks for requested runs ten times a second, forecasting from 40 weeks of history.</summary>
public sealed class ForecastApps : Apps
{
    protected override void Configure(CrmApp app)
    {
        app.Settings["Models:PollSeconds"] = "0.1";
        app.Settings["Forecasts:HistoryWeeks"] = "40";
    }
}
