using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Forecasts;

/// <summary>
/// One forecast of the active version of a forecast model: a product's weekly units ("demand"), a segment's weekly revenue
/// ("revenue") or a device's weekly hours of use ("usage"), with the method the automatic selection chose and how it did on
/// the held-out weeks against the naive forecast. Its weeks, history and forecast, are its <see cref="ForecastPoint"/>s.
/// </summary>
public sealed class ForecastSeries
{
    public long Id { get; set; }

    /// <summary>"demand", "revenue" or "usage" (<see cref="ForecastKinds"/>).</summary>
    [MaxLength(20)] public required string Kind { get; set; }

    /// <summary>The product id, the segment number (0: every customer) or the device id.</summary>
    public long SubjectId { get; set; }
    [MaxLength(200)] public required string Label { get; set; }

    /// <summary>The version of the forecast model that computed it.</summary>
    public int ModelVersion { get; set; }

    /// <summary>"ARIMA(1,1,0) with drift", "ETS(A,N,N)", "naive".</summary>
    [MaxLength(100)] public required string Method { get; set; }

    /// <summary>Errors over the held-out weeks (null: too short a history to hold weeks out); sMAPE as a fraction (0 to 2).</summary>
    public double? Smape { get; set; }
    public double? Mase { get; set; }
    public double? NaiveSmape { get; set; }
    public double? NaiveMase { get; set; }

    /// <summary>Coverage of the interval (0.8: four weeks in five should fall inside).</summary>
    public double Level { get; set; }

    /// <summary>For a device: the consumable whose wear the usage forecast drives, and when it falls due (earliest and latest at the interval's bounds).</summary>
    [MaxLength(100)] public string? Consumable { get; set; }
    public double? LifeUsed { get; set; }
    public DateTime? DueAt { get; set; }
    public DateTime? DueEarliest { get; set; }
    public DateTime? DueLatest { get; set; }

    public DateTime ComputedAt { get; set; }
}
