namespace SmartCrm.Telemetry;

/// <summary>What a telemetry value is: numbers are aggregated; booleans, text and JSON are kept as sent.</summary>
public enum ValueKind : byte { Number = 0, Boolean = 1, Text = 2, Json = 3 }

/// <summary>
/// One reading: a device's value for a key at a time (epoch milliseconds, as ThingsBoard counts). <see cref="Seq"/> orders
/// readings within one millisecond: 0 for a reading sent with its "ts", a <see cref="TelemetryClock"/> value for one without.
/// </summary>
public readonly record struct TelemetryPoint(long DeviceId, string Key, long Ts, ValueKind Kind, double? Number, string? Text)
{
    /// <summary>Order within the millisecond <see cref="Ts"/>; (device, key, Ts, Seq) identifies a reading.</summary>
    public long Seq { get; init; }

    /// <summary>The value as JSON would show it: a number, a boolean, a string, or the JSON document itself.</summary>
    public object? Value => Kind switch
    {
        ValueKind.Number => Number,
        ValueKind.Boolean => Number != 0,
        ValueKind.Json => System.Text.Json.JsonDocument.Parse(Text ?? "null").RootElement.Clone(),
        _ => Text,
    };
}
