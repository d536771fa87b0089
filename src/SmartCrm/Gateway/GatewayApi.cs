using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Devices;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;
using SmartCrm.Telemetry;

namespace SmartCrm.Gateway;

public sealed record RpcRequest
{
    [Required, MaxLength(100)] public string? Method { get; init; }
    public JsonElement? Params { get; init; }
    /// <summary>Milliseconds to wait for the device's answer.</summary>
    [Range(100, 120_000)] public int? Timeout { get; init; }
    public bool? Oneway { get; init; }
}

/// <summary>
/// How devices reach the CRM and the CRM reaches them: the embedded MQTT broker (or a share of an external one), ThingsBoard's
/// HTTP device API, provisioning, and server-side RPC.
/// </summary>
public static class GatewayApi
{
    public static IServiceCollection AddGateway(this IServiceCollection services)
    {
        services.AddSingleton<DeviceMessages>();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeviceGateway>();
        services.AddHostedService(s => s.GetRequiredService<DeviceGateway>());
        services.AddSingleton<UpstreamSubscriber>();
        services.AddHostedService(s => s.GetRequiredService<UpstreamSubscriber>());
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder api)
    {
        // Server-side RPC: {"method":"setMode","params":{...},"timeout":10000,"oneway":false}.
        api.MapGroup("/devices").WithTags("Device").MapPost("/{id:long}/rpc", async Task<IResult> (long id, RpcRequest request, CrmDb db, DeviceGateway gateway, CancellationToken cancellationToken) =>
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

        api.MapPost("/provision", async Task<IResult> (HttpRequest request, DeviceProvisioning provisioning, CancellationToken cancellationToken) =>
        {
            if (await BoundedBody.ReadAsync(request, DevicesApi.MaxMessageBytes, cancellationToken) is not { } body) return TooLarge();
            var answer = await provisioning.ProvisionAsync(body, request.HttpContext.Connection.RemoteIpAddress, cancellationToken);
            if (answer.RetryAfter is { } wait) request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Json(answer, ProvisionAnswer.Json,
                statusCode: answer.RetryAfter is not null ? 429 : answer.Status == "SUCCESS" ? 200 : answer.Status == "NOT_FOUND" ? 401 : 400);
        }).AllowAnonymous().WithTags("Device HTTP API").WithName("ProvisionDevice");

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
            if (await BoundedBody.ReadAsync(request, DevicesApi.MaxMessageBytes, cancellationToken) is not { } body) return TooLarge();
            try
            {
                await messages.TelemetryAsync(identity, body, cancellationToken);
            }
            catch (DevicePayloadException e)
            {
                return Problems.Field(e.Place, e.Problem);
            }
            return TypedResults.Ok();
        }).WithName("PostDeviceTelemetry");

        device.MapPost("/attributes", async Task<IResult> (string token, HttpRequest request, DeviceDirectory directory, DeviceMessages messages, CancellationToken cancellationToken) =>
        {
            if (await directory.FindByTokenAsync(token, cancellationToken) is not { } identity) return UnknownToken();
            if (await BoundedBody.ReadAsync(request, DevicesApi.MaxMessageBytes, cancellationToken) is not { } body) return TooLarge();
            try
            {
                await messages.ClientAttributesAsync(identity, body, cancellationToken);
            }
            catch (DevicePayloadException e)
            {
                return Problems.Field(e.Place, e.Problem);
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
        TypedResults.Problem(title: "Message too large", detail: $"A device message may have at most {DevicesApi.MaxMessageBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
}
