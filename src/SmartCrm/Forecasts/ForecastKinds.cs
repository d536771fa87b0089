namespace SmartCrm.Forecasts;

/// <summary>The three things forecast, as series kinds and as the model kinds that train them.</summary>
public static class ForecastKinds
{
    public const string Demand = "demand";
    public const string Revenue = "revenue";
    public const string Usage = "usage";

    public static readonly string[] All = [Demand, Revenue, Usage];

    /// <summary>The model registry's kind for a series kind ("demand" is trained as "demand-forecast").</summary>
    public static string Model(string kind) => kind + "-forecast";
}
