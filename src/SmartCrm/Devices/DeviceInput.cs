using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using SmartCrm.Records;

namespace SmartCrm.Devices;

public sealed record DeviceInput
{
    [Required, MaxLength(200)] public string? Name { get; init; }
    public long? CustomerId { get; init; }
    [MaxLength(100)] public string? Model { get; init; }
    [MaxLength(100)] public string? Serial { get; init; }
    [Range(10, 30 * 86_400)] public int? InactivityTimeoutSeconds { get; init; }
    /// <summary>Server-side attributes as a JSON object (replaces the previous ones).</summary>
    public JsonElement? ServerAttributes { get; init; }

    public void ApplyTo(Device device)
    {
        device.Name = Name!.Trim();
        device.CustomerId = CustomerId;
        device.Model = Normalise.Text(Model);
        device.Serial = Normalise.Text(Serial);
        device.InactivityTimeoutSeconds = InactivityTimeoutSeconds ?? device.InactivityTimeoutSeconds;
        if (ServerAttributes is { } server) device.ServerAttributes = server.GetRawText();
    }

    public Dictionary<string, string[]> Check()
    {
        var errors = new Dictionary<string, string[]>();
        if (ServerAttributes is { ValueKind: not JsonValueKind.Object }) errors["serverAttributes"] = ["Must be a JSON object of attribute names and values."];
        return errors;
    }
}
