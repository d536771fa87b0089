using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Telemetry;

/// <summary>One value in a time series answer: <c>{"ts":MS,"value":V}</c>, as ThingsBoard answers.</summary>
public sealed record TimedValue(long Ts, object? Value);

public static class TelemetryApi
{
    public const int DefaultLimit = 1_000;
    public const int MaxLimit = 100_000;
    public const int MaxBuckets = 100_000;
    public const int MaxKeys = 50;

    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        var device = api.MapGroup("/devices/{id:long}").WithTags("Telemetry").RequireAuthorization(Permissions.CustomersRead);

        // GET .../telemetry?keys=a,b&from=MS&to=MS[&interval=MS&agg=avg|min|max|sum|count|none][&limit=N]
        device.MapGet("/telemetry", async Task<Results<Ok<Dictionary<string, List<TimedValue>>>, ProblemHttpResult>> (long id, string? keys, long? from, long? to,
            long? interval, string? agg, int? limit, CrmDb db, TelemetryStore store, CancellationToken cancellationToken) =>
        {
            if (!await db.Devices.AnyAsync(d => d.Id == id, cancellationToken)) return Problems.NotFound("Device", id);
            var wanted = (keys ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
            if (wanted.Count == 0) return Problems.Field("keys", "Name the keys to read, comma-separated (keys=temperature,humidity).");
            if (wanted.Count > MaxKeys) return Problems.Field("keys", $"At most {MaxKeys} keys at a time.");
            var end = to ?? clock.GetUtcNow().ToUnixTimeMilliseconds() + 1;
            var start = from ?? end - (long)TimeSpan.FromDays(1).TotalMilliseconds;
            if (start < 0) return Problems.Field("from", "Epoch milliseconds, not negative.");
            if (end <= start) return Problems.Field("to", "Must be after 'from' (epoch milliseconds; the range is from ≤ ts < to).");
            if (!Enum.TryParse<Aggregation>(agg ?? "none", ignoreCase: true, out var aggregation) || !Enum.IsDefined(aggregation))
            {
                return Problems.Field("agg", "One of none, avg, min, max, sum, count.");
            }
            if (aggregation == Aggregation.None)
            {
                var max = limit ?? DefaultLimit;
                if (max < 1 || max > MaxLimit) return Problems.Field("limit", $"Between 1 and {MaxLimit}.");
                var raw = await store.ReadAsync(id, wanted, start, end, max, cancellationToken);
                return TypedResults.Ok(raw.ToDictionary(k => k.Key, k => k.Value.Select(p => new TimedValue(p.Ts, p.Value)).ToList(), StringComparer.Ordinal));
            }
            if (interval is not { } step || step < 1) return Problems.Field("interval", "Give the interval in milliseconds for an aggregate.");
            if ((end - start) / step > MaxBuckets) return Problems.Field("interval", $"Too small for this range: at most {MaxBuckets} intervals.");
            var folded = await store.AggregateAsync(id, wanted, start, end, step, aggregation, cancellationToken);
            return TypedResults.Ok(folded.ToDictionary(k => k.Key, k => k.Value.Select(a => new TimedValue(a.Ts, a.Value)).ToList(), StringComparer.Ordinal));
        }).WithName("GetDeviceTelemetry");

        device.MapGet("/telemetry/latest", async Task<Results<Ok<Dictionary<string, TimedValue>>, ProblemHttpResult>> (long id, CrmDb db, TelemetryStore store, CancellationToken cancellationToken) =>
        {
            if (!await db.Devices.AnyAsync(d => d.Id == id, cancellationToken)) return Problems.NotFound("Device", id);
            var latest = await store.LatestAsync(id, cancellationToken);
            return TypedResults.Ok(latest.ToDictionary(p => p.Key, p => new TimedValue(p.Ts, p.Value), StringComparer.Ordinal));
        }).WithName("GetDeviceLatestTelemetry");

        // Server-sent events: every committed reading of the device, as {"key":..,"ts":..,"value":..}, for the live view.
        device.MapGet("/live", async Task (long id, HttpContext http, TelemetryFeed feed, CancellationToken cancellationToken) =>
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            var reader = feed.Subscribe(lossless: false, out var subscription);
            using (subscription)
            {
                await http.Response.WriteAsync(": live\n\n", cancellationToken);
                await http.Response.Body.FlushAsync(cancellationToken);
                try
                {
                    await foreach (var batch in reader.ReadAllAsync(cancellationToken))
                    {
                        var wrote = false;
                        foreach (var point in batch)
                        {
                            if (point.DeviceId != id) continue;
                            var json = JsonSerializer.Serialize(new { key = point.Key, ts = point.Ts, value = point.Value });
                            await http.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {json}\n\n"), cancellationToken);
                            wrote = true;
                        }
                        if (wrote) await http.Response.Body.FlushAsync(cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The browser left.
                }
            }
        }).WithName("StreamDeviceTelemetry");
        return api;
    }
}
