using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

/// <summary>A connected product in a customer's home or business: a thermostat, purifier, heater, hub or store reader.</summary>
public sealed class Device
{
    public long Id { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    [MaxLength(100)] public string? Model { get; set; }
    [MaxLength(100)] public string? Serial { get; set; }
    public long? CustomerId { get; set; }

    /// <summary>SHA-256 of the access token (the MQTT user name of ThingsBoard-style firmware); the token is shown once.</summary>
    [MaxLength(64), JsonIgnore, Secret] public string TokenHash { get; set; } = "";

    /// <summary>The token's first characters, to recognise it in lists.</summary>
    [MaxLength(12)] public string TokenPrefix { get; set; } = "";

    /// <summary>Reported state: attributes the device publishes itself (client attributes), as a JSON object.</summary>
    [JsonConverter(typeof(RawJsonConverter))] public string ClientAttributes { get; set; } = "{}";

    /// <summary>Desired state: attributes set here and pushed to the device (shared attributes), as a JSON object.</summary>
    [JsonConverter(typeof(RawJsonConverter))] public string SharedAttributes { get; set; } = "{}";

    /// <summary>Attributes for the server only (installation notes, firmware channel), as a JSON object.</summary>
    [JsonConverter(typeof(RawJsonConverter))] public string ServerAttributes { get; set; } = "{}";

    public bool Online { get; set; }
    public DateTime? LastSeenAt { get; set; }
    public DateTime? LastConnectedAt { get; set; }

    /// <summary>Seconds without a message after which a device counts as offline even if its connection looks open.</summary>
    public int InactivityTimeoutSeconds { get; set; } = 600;

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The access token in clear: set only in the answer that creates the device or rotates its token.</summary>
    [NotMapped, JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? AccessToken { get; set; }
}

/// <summary>Device access tokens: random, shown once, stored as a hash.</summary>
public static class DeviceToken
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'A').Replace('/', 'B');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static void Assign(Device device, string token)
    {
        device.TokenHash = Hash(token);
        device.TokenPrefix = token[..Math.Min(6, token.Length)];
    }
}
