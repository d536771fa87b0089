using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Forecasts;

public sealed class ForecastsOptions
{
    public const string Section = "Forecasts";

    /// <summary>Weeks of history each series is fitted on.</summary>
    [Range(16, 520)] public int HistoryWeeks { get; set; } = 52;

    /// <summary>The last weeks held out to measure the chosen method (and as many before them to choose it).</summary>
    [Range(2, 26)] public int HoldoutWeeks { get; set; } = 8;

    /// <summary>Weeks forecast ahead.</summary>
    [Range(1, 104)] public int HorizonWeeks { get; set; } = 26;

    /// <summary>The telemetry key devices report their use under: hours a day in use (the demo's weekly readings).</summary>
    [Required, MaxLength(100)] public string UsageKey { get; set; } = "usageHours";

    /// <summary>Coverage of the prediction interval.</summary>
    [Range(0.5, 0.99)] public double Level { get; set; } = 0.8;

    /// <summary>
    /// Device models whose usage wears a part. Defaults fit the demo's catalogue: a purifier's filter ("six months" at about
    /// 5.5 hours a day) and a water heater's yearly maintenance; configuration adds a company's own (Forecasts:Consumables:N:Model, Name, Sku, LifeHours).
    /// </summary>
    public List<ConsumableRule> Consumables { get; set; } =
    [
        new() { Model = "AP-300", Name = "HEPA Filter 300", Sku = "AP-F300", LifeHours = 1000 },
        new() { Model = "AP-600", Name = "HEPA + Carbon Filter 600", Sku = "AP-F600", LifeHours = 1000 },
        new() { Model = "WH-50", Name = "Annual Heater Maintenance", Sku = "SP-MAINT", LifeHours = 2000 },
        new() { Model = "WH-80", Name = "Annual Heater Maintenance", Sku = "SP-MAINT", LifeHours = 2000 },
    ];
}
