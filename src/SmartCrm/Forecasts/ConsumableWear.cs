namespace SmartCrm.Forecasts;

/// <summary>A device's consumable: its rule, when it was last fitted, and the hours used before the weekly history starts.</summary>
public sealed record ConsumableWear(ConsumableRule Rule, DateTime FittedAt, double HoursBeforeHistory);
