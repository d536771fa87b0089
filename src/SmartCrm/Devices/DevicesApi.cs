using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

public sealed record TokenRotated(long Id, string AccessToken);

public sealed record DeviceAttributesView(JsonElement Client, JsonElement Shared, JsonElement Server);

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
        services.AddSingleton<DeviceAccessEnded>();
        services.AddSingleton<DeviceProvisioning>();
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
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.Check(), input.CustomerId, db, cancellationToken),
            InSegment = (query, segment, db) => query.InSegment(db.Customers, segment, d => d.CustomerId),
            AfterDelete = (device, services) =>
            {
                services.GetRequiredService<DeviceDirectory>().Forget(device.TokenHash);
                services.GetRequiredService<DeviceAccessEnded>().Notify(device.Id);
            },
            Search = (query, text, _) => query.Where(d => d.Name.Contains(text) || d.Serial == text || d.Model == text || d.TokenPrefix == text),
        });

        devices.MapPost("/{id:long}/token", async Task<Results<Ok<TokenRotated>, ProblemHttpResult>> (long id, CrmDb db, DeviceDirectory directory, DeviceAccessEnded accessEnded,
            CancellationToken cancellationToken) =>
        {
            var device = await db.Devices.AsTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
            if (device is null) return Problems.NotFound("Device", id);
            var old = device.TokenHash;
            var token = DeviceToken.New();
            DeviceToken.Assign(device, token);
            await db.SaveChangesAsync(cancellationToken);
            directory.Forget(old);
            accessEnded.Notify(id);
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
            string? merged;
            try
            {
                DevicePayload.CheckAttributes(patch);
                merged = await DeviceAttributes.MergeAsync(db, id, DeviceAttributes.Scope.Shared, patch, clock, cancellationToken);
            }
            catch (DevicePayloadException e)
            {
                return Problems.Field(e.Place, e.Problem);
            }
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

        api.MapRecords("/provisioning-profiles", new RecordRules<ProvisioningProfile, ProvisioningProfileInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.DevicesWrite,
            Create = input => { var p = new ProvisioningProfile { Name = "", Key = "" }; input.ApplyTo(p); return p; },
            Apply = (input, profile) => input.ApplyTo(profile),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            BeforeCreate = async (input, _, db, cancellationToken) => input.Key is { } key && await db.ProvisioningProfiles.AnyAsync(p => p.Key == key, cancellationToken)
                ? Problems.Field("key", "Another profile has this provision key.") : null,
        });
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
                if (await db.Cards.AnyAsync(c => c.Uid == uid, cancellationToken)) return new() { ["uid"] = [$"Card {uid} is linked already."] };
                return await CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken);
            },
        });

        return api;
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
