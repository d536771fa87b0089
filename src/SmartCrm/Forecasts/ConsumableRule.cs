namespace SmartCrm.Forecasts;

/// <summary>
/// A part of a device model that wears with use: after <see cref="LifeHours"/> hours of use it is due (a filter to replace, a
/// heater to descale). A purchase of <see cref="Sku"/> by the device's owner counts as the part being replaced.
/// </summary>
public sealed class ConsumableRule
{
    public string Model { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Sku { get; set; }
    public double LifeHours { get; set; }
}
