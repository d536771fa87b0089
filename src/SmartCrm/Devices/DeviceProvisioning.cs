using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

/// <summary>
/// Lets devices register themselves on first boot (ThingsBoard's device provisioning): firmware carries the key and secret,
/// and the device it creates gets this profile's model and owner.
/// </summary>
public sealed class ProvisioningProfile
{
    public long Id { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    /// <summary>The provision key, shown and sent in clear (it names the profile).</summary>
    [MaxLength(100)] public required string Key { get; set; }
    /// <summary>SHA-256 of the provision secret.</summary>
    [MaxLength(64), JsonIgnore] public string SecretHash { get; set; } = "";
    [MaxLength(100)] public string? Model { get; set; }
    public long? CustomerId { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }

    /// <summary>The secret in clear: only in the answer that creates the profile.</summary>
    [NotMapped, JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Secret { get; set; }
}

public sealed record ProvisioningProfileInput
{
    [Required, MaxLength(200)] public string? Name { get; init; }
    [MaxLength(100)] public string? Key { get; init; }
    [MinLength(8), MaxLength(200)] public string? Secret { get; init; }
    [MaxLength(100)] public string? Model { get; init; }
    public long? CustomerId { get; init; }
    public bool? Enabled { get; init; }

    public void ApplyTo(ProvisioningProfile profile)
    {
        profile.Name = Name!.Trim();
        profile.Key = Normalise.Text(Key) ?? (profile.Key.Length > 0 ? profile.Key : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)));
        if (Secret is not null || profile.SecretHash.Length == 0)
        {
            profile.Secret = Secret ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'A').Replace('/', 'B');
            profile.SecretHash = DeviceToken.Hash(profile.Secret);
        }
        profile.Model = Normalise.Text(Model);
        profile.CustomerId = CustomerId;
        profile.Enabled = Enabled ?? true;
    }
}

/// <summary>The answer firmware expects: status SUCCESS with the access token, or NOT_FOUND / FAILURE with a message.</summary>
public sealed record ProvisionAnswer(string Status, string? CredentialsType = null, string? CredentialsValue = null, string? ErrorMsg = null)
{
    public static ProvisionAnswer Success(string token) => new("SUCCESS", "ACCESS_TOKEN", token);

    public static ProvisionAnswer NotFound(string why) => new("NOT_FOUND", ErrorMsg: why);

    public static ProvisionAnswer Failure(string why) => new("FAILURE", ErrorMsg: why);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>Handles a provisioning request, from MQTT (<c>/provision/request</c>) or HTTP (<c>POST /api/v1/provision</c>).</summary>
public sealed class DeviceProvisioning(IServiceScopeFactory scopes, ILogger<DeviceProvisioning> logger)
{
    public async Task<ProvisionAnswer> ProvisionAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(request);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return ProvisionAnswer.Failure($"The request is not JSON: {e.Message}");
        }
        if (body.ValueKind != JsonValueKind.Object) return ProvisionAnswer.Failure("The request must be a JSON object.");
        var key = Text(body, "provisionDeviceKey");
        var secret = Text(body, "provisionDeviceSecret");
        if (key is null || secret is null) return ProvisionAnswer.Failure("provisionDeviceKey and provisionDeviceSecret are required.");
        var name = Text(body, "deviceName");
        var wanted = Text(body, "credentialsType") is "ACCESS_TOKEN" ? Text(body, "token") : null;
        if (name is { Length: > 200 }) return ProvisionAnswer.Failure("deviceName: at most 200 characters.");
        if (wanted is { Length: < 8 or > 200 }) return ProvisionAnswer.Failure("token: 8 to 200 characters.");

        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var profile = await db.ProvisioningProfiles.FirstOrDefaultAsync(p => p.Key == key && p.Enabled, cancellationToken);
        // The same answer for an unknown key and a wrong secret: a guesser learns nothing about which keys exist.
        if (profile is null || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(profile.SecretHash), Convert.FromHexString(DeviceToken.Hash(secret))))
        {
            logger.LogWarning("Provisioning refused: unknown key or wrong secret for key {Key}", key);
            return ProvisionAnswer.NotFound("Unknown provision key or wrong secret.");
        }
        name ??= $"{profile.Model ?? "device"}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        if (await db.Devices.AnyAsync(d => d.Name == name && d.Model == profile.Model, cancellationToken))
        {
            return ProvisionAnswer.Failure($"A device named '{name}' is provisioned already.");
        }
        var token = wanted ?? DeviceToken.New();
        var hash = DeviceToken.Hash(token);
        if (await db.Devices.AnyAsync(d => d.TokenHash == hash, cancellationToken)) return ProvisionAnswer.Failure("That token is taken.");
        var device = new Device { Name = name, Model = profile.Model, CustomerId = profile.CustomerId };
        DeviceToken.Assign(device, token);
        db.Devices.Add(device);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Device {Device} provisioned itself with profile {Profile}", name, profile.Name);
        return ProvisionAnswer.Success(token);
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
