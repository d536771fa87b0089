using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Alarms;

public enum AlarmSeverity { Warning, Minor, Major, Critical }

public enum AlarmStatus { Active, Acknowledged, Cleared }

/// <summary>Where an alarm came from: a threshold rule, the anomaly detector, the failure model, or the device itself.</summary>
public enum AlarmSource { Rule, Anomaly, Prediction, Device }

/// <summary>
/// Something wrong with a device, with a lifecycle: active, acknowledged by a person, cleared (by the data or a person).
/// At most one alarm of a type is open per device: a condition that persists raises its count, not a new alarm.
/// </summary>
public sealed class Alarm
{
    public long Id { get; set; }
    public long DeviceId { get; set; }
    public long? CustomerId { get; set; }
    [MaxLength(100)] public required string Type { get; set; }
    public AlarmSeverity Severity { get; set; }
    public AlarmStatus Status { get; set; }
    public AlarmSource Source { get; set; }
    [MaxLength(300)] public required string Message { get; set; }
    [MaxLength(100)] public string? Key { get; set; }
    public double? Value { get; set; }
    /// <summary>How many readings confirmed the condition while the alarm was open.</summary>
    public int Count { get; set; } = 1;
    public DateTime StartedAt { get; set; }
    public DateTime LastAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    [MaxLength(100)] public string? AcknowledgedBy { get; set; }
    public DateTime? ClearedAt { get; set; }
    [MaxLength(100)] public string? ClearedBy { get; set; }
    /// <summary>The fault ticket a critical alarm opened for the owning customer.</summary>
    public long? TicketId { get; set; }
}

/// <summary>One step in an alarm's history.</summary>
public sealed class AlarmEvent
{
    public long Id { get; set; }
    public long AlarmId { get; set; }
    public DateTime At { get; set; }
    [MaxLength(30)] public required string Action { get; set; }
    [MaxLength(100)] public string? Actor { get; set; }
    [MaxLength(500)] public string? Note { get; set; }
}

public enum Comparison { Above, AtLeast, Below, AtMost, EqualTo, NotEqualTo }

/// <summary>
/// A threshold on one telemetry key, for one device model or all: raises an alarm when a reading crosses the threshold and
/// clears it when a reading is back beyond the clear threshold (hysteresis, so a value wobbling at the line does not flap).
/// </summary>
public sealed class AlarmRule
{
    public long Id { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    /// <summary>Device model the rule watches; null watches every model.</summary>
    [MaxLength(100)] public string? Model { get; set; }
    [MaxLength(100)] public required string Key { get; set; }
    public Comparison Comparison { get; set; }
    public double Threshold { get; set; }
    /// <summary>Where the alarm clears; null clears as soon as the condition no longer holds.</summary>
    public double? ClearThreshold { get; set; }
    public AlarmSeverity Severity { get; set; }
    [MaxLength(100)] public required string AlarmType { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool Raises(double value) => Holds(Comparison, value, Threshold);

    /// <summary>True when the value is back on the safe side of the clear threshold.</summary>
    public bool Clears(double value) => ClearThreshold is not { } clear
        ? !Raises(value)
        : Comparison switch
        {
            Comparison.Above or Comparison.AtLeast => value <= clear,
            Comparison.Below or Comparison.AtMost => value >= clear,
            _ => !Raises(value),
        };

    private static bool Holds(Comparison comparison, double value, double threshold) => comparison switch
    {
        Comparison.Above => value > threshold,
        Comparison.AtLeast => value >= threshold,
        Comparison.Below => value < threshold,
        Comparison.AtMost => value <= threshold,
        Comparison.EqualTo => value == threshold,
        _ => value != threshold,
    };
}
