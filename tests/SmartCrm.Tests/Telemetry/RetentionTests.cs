using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Telemetry;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Telemetry;

public sealed class RetentionTests
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task Old_numeric_readings_fold_into_hourly_averages_and_text_readings_stay(Provider provider)
    {
        using var app = new CrmApp(provider);
        app.Settings["Telemetry:RetentionDays"] = "30";
        app.Settings["Telemetry:RetentionMode"] = "Downsample";
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var hour = (DateTimeOffset.UtcNow.AddDays(-35).ToUnixTimeMilliseconds() / 3_600_000) * 3_600_000;
        var recent = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        await app.SendTelemetryAsync(token, $"[{{\"ts\":{hour},\"values\":{{\"t\":10,\"mode\":\"eco\"}}}},{{\"ts\":{hour + 600_000},\"values\":{{\"t\":20}}}},"
            + $"{{\"ts\":{hour + 1_200_000},\"values\":{{\"t\":30}}}},{{\"ts\":{hour + 3_600_000},\"values\":{{\"t\":40}}}},{{\"ts\":{recent},\"values\":{{\"t\":1}}}},{{\"ts\":{recent + 1},\"values\":{{\"t\":2}}}}]");

        var job = app.Services.GetRequiredService<TelemetryRetentionJob>();
        (await job.ApplyAsync(CancellationToken.None)).ShouldBe(2, "three readings became one");
        (await job.ApplyAsync(CancellationToken.None)).ShouldBe(0, "a second pass changes nothing");

        var old = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t,mode&from={hour}&to={hour + 7_200_000}");
        old.GetProperty("t").EnumerateArray().Select(p => (p.GetProperty("ts").GetInt64(), p.GetProperty("value").GetDouble())).ShouldBe([(hour, 20.0), (hour + 3_600_000, 40.0)]);
        old.GetProperty("mode")[0].GetProperty("value").GetString().ShouldBe("eco");
        var fresh = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from={recent}&to={recent + 10}");
        fresh.GetProperty("t").GetArrayLength().ShouldBe(2, "recent readings are kept as they came");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Drop_mode_removes_readings_older_than_the_retention(Provider provider)
    {
        using var app = new CrmApp(provider);
        app.Settings["Telemetry:RetentionDays"] = "30";
        app.Settings["Telemetry:RetentionMode"] = "Drop";
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var old = DateTimeOffset.UtcNow.AddDays(-90).ToUnixTimeMilliseconds();
        var recent = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds();
        await app.SendTelemetryAsync(token, $"[{{\"ts\":{old},\"values\":{{\"t\":1}}}},{{\"ts\":{old + 1000},\"values\":{{\"t\":2}}}},{{\"ts\":{recent},\"values\":{{\"t\":3}}}}]");

        (await app.Services.GetRequiredService<TelemetryRetentionJob>().ApplyAsync(CancellationToken.None)).ShouldBeGreaterThan(0);
        var left = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry?keys=t&from={old - 1}&to={recent + 1}");
        left.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()).ShouldBe([3.0]);
    }

}
