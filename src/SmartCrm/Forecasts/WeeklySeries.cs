namespace SmartCrm.Forecasts;

/// <summary>A subject's weekly figures, oldest week first, the last one the week before the current (unfinished) one.</summary>
/// <param name="Wear">For a device: the consumable its usage wears, and since when.</param>
public sealed record WeeklySeries(long SubjectId, string Label, DateTime FirstWeek, double[] Values, ConsumableWear? Wear = null);
