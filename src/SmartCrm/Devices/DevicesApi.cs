using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Devices;

public sealed record TokenRotated(long Id, string AccessToken);

public sealed record DeviceAttributesView(JsonElement Client, JsonElement Shared, JsonElement Server);

public sealed record RpcRequest
{
    [Required, MaxLength(100)] public string? Method { get; init; }
    public JsonElement? Params { get; init; }
    /// <summary>Milliseconds to wait for the device's answer.</summary>
    [Range(100, 120_000)] public int? Timeout { get; init; }
    public bool? Oneway { get; init; }
}

public sealed record CardInput
{
    [Required, MaxLength(64)] public string? Uid { get; init; }
    [Required] public long? CustomerId { get; init; }
    [MaxLength(100)] public string? Label { get; init; }
}

public static class DevicesApi
{
    /// <summary>Largest device message over HTTP; MQTT has the broker's own limit.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<SharedAttributesChanged>();
        services.AddSingleton<DeviceMessages>();
        services.AddSingleton<TelemetryStore>();
        services.AddSingleton<TelemetryFeed>();
        services.AddSingleton<TelemetryWriter>();
        services.AddHostedService(s => s.GetRequiredService<TelemetryWriter>());
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeviceProvisioning>();
        services.AddSingleton<DeviceGateway>();
        services.AddHostedService(s => s.GetRequiredService<DeviceGateway>());
        services.AddSingleton<UpstreamSubscriber>();
        services.AddHostedService(s => s.GetRequiredService<UpstreamSubscriber>());
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TelemetryRetentionJob>();
        services.AddHostedService(s => s.GetRequiredService<TelemetryRetentionJob>());
        services.AddSingleton<DeviceStatusJob>();
        services.AddHostedService(s => s.GetRequiredService<DeviceStatusJob>());
        return services;
    }

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        var devices = api.MapRecords("/devices", new RecordRules<Device, DeviceInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.DevicesWrite,
            Create = input =>
            {
                var device = new Device { Name = "" };
                input.ApplyTo(device);
                device.AccessToken = DeviceToken.New();
                DeviceToken.Assign(device, device.AccessToken);
                return device;
            },
            Apply = (input, device) => input.ApplyTo(device),
            Check = (input, _, _) => Task.FromResult(input.Check()),
            AfterDelete = (device, services) =>
            {
                services.GetRequiredService<DeviceDirectory>().Forget(device.TokenHash);
                services.GetRequiredService<DeviceGateway>().Disconnect(device.Id);
            },
            Search = (query, text, _) => query.Where(d => d.Name.Contains(text) || d.Serial == text || d.Model == text || d.TokenPrefix == text),
        });

        devices.MapPost("/{id:long}/token", async Task<Results<Ok<TokenRotated>, ProblemHttpResult>> (long id, CrmDb db, DeviceDirectory directory, DeviceGateway gateway,
            CancellationToken cancellationToken) =>
        {
            var device = await db.Devices.AsTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
            if (device is null) return Problems.NotFound("Device", id);
            var old = device.TokenHash;
            var token = DeviceToken.New();
            DeviceToken.Assign(device, token);
            await db.SaveChangesAsync(cancellationToken);
            directory.Forget(old);
            gateway.Disconnect(id);
            return TypedResults.Ok(new TokenRotated(id, token));
        }).RequireAuthorization(Permissions.DevicesWrite).WithName("RotateDeviceToken");

        devices.MapGet("/{id:long}/attributes", async Task<Results<Ok<DeviceAttributesView>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
            await db.Devices.Where(d => d.Id == id).Select(d => new { d.ClientAttributes, d.SharedAttributes, d.ServerAttributes }).FirstOrDefaultAsync(cancellationToken) is { } a
                ? TypedResults.Ok(new DeviceAttributesView(Parse(a.ClientAttributes), Parse(a.SharedAttributes), Parse(a.ServerAttributes)))
                : Problems.NotFound("Device", id))
            .RequireAuthorization(Permissions.CustomersRead).WithName("GetDeviceAttributes");

        // Desired state: merged into the shared attributes and pushed to the device when it is connected.
        devices.MapPost("/{id:long}/attributes/shared", async Task<Results<Ok<JsonElement>, ProblemHttpResult>> (long id, JsonElement patch, CrmDb db, Actor actor,
            SharedAttributesChanged changed, CancellationToken cancellationToken) =>
        {
            if (patch.ValueKind != JsonValueKind.Object) return Problems.Field("$", "Send a JSON object of attribute names and values (null removes one).");
            var merged = await DeviceAttributes.MergeAsync(db, id, DeviceAttributes.Scope.Shared, patch, clock, cancellationToken);
            if (merged is null) return Problems.NotFound("Device", id);
            db.AuditLog.Add(new AuditEntry
            {
                At = clock.GetUtcNow().UtcDateTime, Actor = actor.Name, Action = "Modified", Entity = nameof(Device), EntityId = id,
                Changes = JsonSerializer.Serialize(new Dictionary<string, object?[]> { ["SharedAttributes"] = [null, patch] }),
            });
            await db.SaveChangesAsync(cancellationToken);
            await changed.NotifyAsync(id, patch, cancellationToken);
            return TypedResults.Ok(Parse(merged));
        }).RequireAuthorization(Permissions.DevicesWrite).WithName("SetSharedAttributes");

        // Server-side RPC: {"method":"setMode","params":{...},"timeout":10000,"oneway":false}.
        devices.MapPost("/{id:long}/rpc", async Task<IResult> (long id, RpcRequest request, CrmDb db, DeviceGateway gateway, CancellationToken cancellationToken) =>
        {
            var errors = RecordApi.Validate(request);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            if (!await db.Devices.AnyAsync(d => d.Id == id, cancellationToken)) return Problems.NotFound("Device", id);
            try
            {
                var answer = await gateway.CallAsync(id, request.Method!, request.Params, TimeSpan.FromMilliseconds(request.Timeout ?? 10_000), request.Oneway ?? false, cancellationToken);
                return answer is { } value ? TypedResults.Ok(value) : TypedResults.Accepted((string?)null);
            }
            catch (DeviceRpcException e)
            {
                return TypedResults.Problem(title: e.TimedOut ? "The device did not answer" : "The device cannot be reached", detail: e.Message,
                    statusCode: e.TimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status409Conflict);
            }
        }).RequireAuthorization(Permissions.DevicesWrite).WithName("CallDevice");

        api.MapRecords("/provisioning-profiles", new RecordRules<ProvisioningProfile, ProvisioningProfileInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.DevicesWrite,
            Create = input => { var p = new ProvisioningProfile { Name = "", Key = "" }; input.ApplyTo(p); return p; },
            Apply = (input, profile) => input.ApplyTo(profile),
            BeforeCreate = async (input, _, db, cancellationToken) => input.Key is { } key && await db.ProvisioningProfiles.AnyAsync(p => p.Key == key, cancellationToken)
                ? Problems.Field("key", "Another profile has this provision key.") : null,
        });
        api.MapPost("/provision", async Task<IResult> (HttpRequest request, DeviceProvisioning provisioning, CancellationToken cancellationToken) =>
        {
            if (await ReadBodyAsync(request, cancellationToken) is not { } body) return TooLarge();
            var answer = await provisioning.ProvisionAsync(body, request.HttpContext.Connection.RemoteIpAddress, cancellationToken);
            if (answer.RetryAfter is { } wait) request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Json(answer, ProvisionAnswer.Json,
                statusCode: answer.RetryAfter is not null ? 429 : answer.Status == "SUCCESS" ? 200 : answer.Status == "NOT_FOUND" ? 401 : 400);
        }).AllowAnonymous().WithTags("Device HTTP API").WithName("ProvisionDevice");

        api.MapRecords("/cards", new RecordRules<Card, CardInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.CustomersWrite,
            Create = input => new Card { Uid = Card.NormaliseUid(input.Uid!), CustomerId = input.CustomerId!.Value, Label = input.Label?.Trim() },
            Apply = (input, card) => { card.Uid = Card.NormaliseUid(input.Uid!); card.CustomerId = input.CustomerId!.Value; card.Label = input.Label?.Trim(); },
            Check = async (input, db, cancellationToken) =>
            {
                var uid = Card.NormaliseUid(input.Uid!);
                if (uid.Length == 0) return new() { ["uid"] = ["A card UID has letters or digits."] };
                return await db.Cards.AnyAsync(c => c.Uid == uid, cancellationToken) ? new() { ["uid"] = [$"Card {uid} is linked already."] } : [];
            },
        });

        MapDeviceHttpApi(api);
        return api;
    }

    /// <summary>ThingsBoard's HTTP device API: the access token in the path, so firmware that speaks it works unchanged.</summary>
    private static void MapDeviceHttpApi(IEndpointRouteBuilder api)
    {
        var device = api.MapGroup("/{token}").WithTags("Device HTTP API").AllowAnonymous();

        device.MapPost("/telemetry", async Task<IResult> (string token, HttpRequest request, DeviceDirectory directory, DeviceMessages messages, CancellationToken cancellationToken) =>
        {
            if (await directory.FindByTokenAsync(token, cancellationToken) is not { } identity) return UnknownToken();
            if (await ReadBodyAsync(request, cancellationToken) is not { } body) return TooLarge();
            try
            {
                await messages.TelemetryAsync(identity, body, cancellationToken);
            }
            catch (TelemetryFormatException e)
            {
                return Problems.Field("$", e.Message);
            }
            return TypedResults.Ok();
        }).WithName("PostDeviceTelemetry");

        device.MapPost("/attributes", async Task<IResult> (string token, HttpRequest request, DeviceDirectory directory, DeviceMessages messages, CancellationToken cancellationToken) =>
        {
            if (await directory.FindByTokenAsync(token, cancellationToken) is not { } identity) return UnknownToken();
            if (await ReadBodyAsync(request, cancellationToken) is not { } body) return TooLarge();
            try
            {
                await messages.ClientAttributesAsync(identity, body, cancellationToken);
            }
            catch (TelemetryFormatException e)
            {
                return Problems.Field("$", e.Message);
            }
            return TypedResults.Ok();
        }).WithName("PostDeviceAttributes");

        device.MapGet("/attributes", async Task<IResult> (string token, string? clientKeys, string? sharedKeys, DeviceDirectory directory, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (await directory.FindByTokenAsync(token, cancellationToken) is not { } identity) return UnknownToken();
            return TypedResults.Ok(await DeviceAttributes.RequestedAsync(db, identity.Id, clientKeys, sharedKeys, cancellationToken));
        }).WithName("GetDeviceAttributesByToken");
    }

    private static ProblemHttpResult UnknownToken() =>
        TypedResults.Problem(title: "Unknown device token", detail: "No device has this access token.", statusCode: StatusCodes.Status401Unauthorized);

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(title: "Message too large", detail: $"A device message may have at most {MaxMessageBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>The body, or null when it is larger than a device message may be (read no further than that).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxMessageBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxMessageBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

}

/// <summary>
/// Tells whoever can reach a device (the MQTT gateway) that its desired state changed. Without a broker nobody listens,
/// and the device reads its shared attributes when it next asks.
/// </summary>
public sealed class SharedAttributesChanged
{
    private Func<long, JsonElement, CancellationToken, Task>? _listeners;

    public void Listen(Func<long, JsonElement, CancellationToken, Task> listener) => _listeners += listener;

    public async Task NotifyAsync(long deviceId, JsonElement patch, CancellationToken cancellationToken)
    {
        if (_listeners is null) return;
        foreach (var listener in _listeners.GetInvocationList().Cast<Func<long, JsonElement, CancellationToken, Task>>())
        {
            await listener(deviceId, patch, cancellationToken);
        }
    }
}
