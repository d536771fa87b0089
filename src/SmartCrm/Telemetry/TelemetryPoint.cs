namespace SmartCrm.Telemetry;

/// <summary>What a telemetry value is: numbers are aggregated; booleans, text and JSON are kept as sent.</summary>
public enum ValueKind : byte { Number = 0, Boolean = 1, Text = 2, Json = 3 }

/// <summary>One reading: a device's value for a key at a time (epoch milliseconds, as ThingsBoard counts).</summary>
public readonly record struct TelemetryPoint(long DeviceId, string Key, long Ts, ValueKind Kind, double? Number, string? Text)
{
    /// <summary>The value as JSON would show it: a number, a boolean, a string, or the JSON document itself.</summary>
    public object? Value => Kind switch
    {
        ValueKind.Number => Number,
        ValueKind.Boolean => Number != 0,
        ValueKind.Json => System.Text.Json.JsonDocument.Parse(Text ?? "null").RootElement.Clone(),
        _ => Text,
    };
}
