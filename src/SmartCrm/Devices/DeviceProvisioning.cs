using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
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
    /// <summary>The provision secret, hashed like a password (<see cref="ProvisionSecret"/>).</summary>
    [MaxLength(200), JsonIgnore, Secret] public string SecretHash { get; set; } = "";
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
            profile.SecretHash = ProvisionSecret.Hash(profile.Secret);
        }
        profile.Model = Normalise.Text(Model);
        profile.CustomerId = CustomerId;
        profile.Enabled = Enabled ?? true;
    }
}

/// <summary>The answer firmware expects: status SUCCESS with the access token, or NOT_FOUND / FAILURE with a message.</summary>
/// <remarks><see cref="RetryAfter"/> is set when the request was not even checked because of earlier failures (HTTP 429).</remarks>
public sealed record ProvisionAnswer(string Status, string? CredentialsType = null, string? CredentialsValue = null, string? ErrorMsg = null,
    [property: JsonIgnore] TimeSpan? RetryAfter = null)
{
    public static ProvisionAnswer Success(string token) => new("SUCCESS", "ACCESS_TOKEN", token);

    public static ProvisionAnswer NotFound(string why) => new("NOT_FOUND", ErrorMsg: why);

    public static ProvisionAnswer Failure(string why) => new("FAILURE", ErrorMsg: why);

    public static ProvisionAnswer Throttled(TimeSpan wait) =>
        new("FAILURE", ErrorMsg: $"Too many failed provisioning attempts: try again in {Math.Ceiling(wait.TotalSeconds):0} s.", RetryAfter: wait);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>
/// Handles a provisioning request, from MQTT (<c>/provision/request</c>) or HTTP (<c>POST /api/v1/provision</c>). Failed
/// attempts are counted per client address and per provision key, and once a budget is spent the requests of that address
/// or key are refused unchecked until the minute is over: each check costs a password hash, and a guesser must not get
/// hundreds a second. Successes cost nothing from the budgets, so a factory line can provision as fast as it likes.
/// </summary>
public sealed class DeviceProvisioning(IServiceScopeFactory scopes, ILogger<DeviceProvisioning> logger) : IDisposable
{
    /// <summary>Failed attempts a minute from one address: as for console sign-in, enough for firmware with a typo, too few to guess.</summary>
    public const int FailuresPerAddress = 10;

    /// <summary>Failed attempts a minute against one provision key from all addresses together, for a guesser with many addresses.</summary>
    public const int FailuresPerKey = 30;

    private const int MaxKeyLength = 100;
    private const int MaxSecretLength = 200;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<(string Address, string Key)> _failures = PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<(string Address, string Key), string>(attempt => RateLimitPartition.GetFixedWindowLimiter("address:" + attempt.Address, _ => Budget(FailuresPerAddress))),
        PartitionedRateLimiter.Create<(string Address, string Key), string>(attempt => RateLimitPartition.GetFixedWindowLimiter("key:" + attempt.Key, _ => Budget(FailuresPerKey))));

    // One check at a time per address: a flood from one address takes turns and meets the spent budget, instead of all
    // passing the budget check together before the first failure is counted.
    private readonly PartitionedRateLimiter<string> _turns = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetConcurrencyLimiter(address,
        _ => new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 64, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));

    public async Task<ProvisionAnswer> ProvisionAsync(ReadOnlyMemory<byte> request, IPAddress? address, CancellationToken cancellationToken)
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
        if (key.Length > MaxKeyLength) return ProvisionAnswer.Failure($"provisionDeviceKey: at most {MaxKeyLength} characters.");
        if (secret.Length > MaxSecretLength) return ProvisionAnswer.Failure($"provisionDeviceSecret: at most {MaxSecretLength} characters.");
        var name = Text(body, "deviceName");
        var wanted = Text(body, "credentialsType") is "ACCESS_TOKEN" ? Text(body, "token") : null;
        if (name is { Length: > 200 }) return ProvisionAnswer.Failure("deviceName: at most 200 characters.");
        if (wanted is { Length: < 8 or > 200 }) return ProvisionAnswer.Failure("token: 8 to 200 characters.");

        var from = Client(address);
        using var turn = await _turns.AcquireAsync(from, 1, cancellationToken);
        if (!turn.IsAcquired) return ProvisionAnswer.Throttled(Window);
        var attempt = (from, key);
        using (var budget = _failures.AttemptAcquire(attempt, 0))
        {
            if (!budget.IsAcquired)
            {
                logger.LogDebug("Provisioning from {Address} not checked: too many failed attempts for this address or key", from);
                return ProvisionAnswer.Throttled(budget.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window);
            }
        }

        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDb>();
        var profile = await db.ProvisioningProfiles.AsTracking().FirstOrDefaultAsync(p => p.Key == key && p.Enabled, cancellationToken);
        var (matches, outdated) = profile is null ? (false, false) : ProvisionSecret.Verify(profile.SecretHash, secret);
        if (profile is null) ProvisionSecret.VerifyNothing(secret);
        // The same answer for an unknown key and a wrong secret, after the same time: a guesser learns nothing about which keys exist.
        if (!matches)
        {
            _failures.AttemptAcquire(attempt, 1).Dispose();
            logger.LogWarning("Provisioning from {Address} refused: unknown key or wrong secret for key {Key}", from, key);
            return ProvisionAnswer.NotFound("Unknown provision key or wrong secret.");
        }
        var found = profile!;
        if (outdated) found.SecretHash = ProvisionSecret.Hash(secret);
        name ??= $"{found.Model ?? "device"}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        if (await db.Devices.AnyAsync(d => d.Name == name && d.Model == found.Model, cancellationToken))
        {
            if (outdated) await db.SaveChangesAsync(cancellationToken);
            return ProvisionAnswer.Failure($"A device named '{name}' is provisioned already.");
        }
        var token = wanted ?? DeviceToken.New();
        var hash = DeviceToken.Hash(token);
        if (await db.Devices.AnyAsync(d => d.TokenHash == hash, cancellationToken)) return ProvisionAnswer.Failure("That token is taken.");
        var device = new Device { Name = name, Model = found.Model, CustomerId = found.CustomerId };
        DeviceToken.Assign(device, token);
        db.Devices.Add(device);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Device {Device} provisioned itself with profile {Profile}", name, found.Name);
        return ProvisionAnswer.Success(token);
    }

    public void Dispose()
    {
        _failures.Dispose();
        _turns.Dispose();
    }

    /// <summary>The client an address stands for: one IPv4 address, or one IPv6 /64 (a single host usually holds a whole /64).</summary>
    private static string Client(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private static FixedWindowRateLimiterOptions Budget(int failures) =>
        new() { PermitLimit = failures, Window = Window, QueueLimit = 0, AutoReplenishment = true };

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
