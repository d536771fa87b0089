using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Devices;
using SmartCrm.Storage;
using SmartCrm.Telemetry;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Operations;

/// <summary>
/// The scheduled jobs at fleet size (issue 10, point 13): 100,000 devices, most of them silent, each with old readings.
/// Statements that passed one parameter per device broke SQLite's limit of 32,766 variables (and PostgreSQL's 65,535).
/// </summary>
public sealed class FleetJobsTests
{
    private const int Fleet = 100_000;

    public static TheoryData<Provider> Providers => Apps.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task The_device_status_and_retention_jobs_run_over_a_hundred_thousand_devices(Provider provider)
    {
        using var app = new CrmApp(provider);
        app.Settings["Telemetry:RetentionDays"] = "30";
        app.Settings["Telemetry:RetentionMode"] = "Downsample";
        var api = app.Admin();
        var hour = (DateTimeOffset.UtcNow.AddDays(-35).ToUnixTimeMilliseconds() / 3_600_000) * 3_600_000;
        await SeedFleetAsync(app, hour);

        // Every tenth device was heard from a moment ago; the rest have been silent for years. (The job also runs on its own
        // every 15 s and may have done this already while the fleet was seeded: the outcome is what counts.)
        await app.Services.GetRequiredService<DeviceStatusJob>().MarkSilentDevicesOfflineAsync(CancellationToken.None);
        (await app.WithDbAsync(db => db.Devices.CountAsync(d => d.Online))).ShouldBe(Fleet / 10);
        (await app.WithDbAsync(db => db.Devices.CountAsync(d => d.Online && d.Name == "fleet-20"))).ShouldBe(1);
        (await app.Services.GetRequiredService<DeviceStatusJob>().MarkSilentDevicesOfflineAsync(CancellationToken.None)).ShouldBe(0);

        // Three readings in one old hour per device fold into one average each.
        var retention = app.Services.GetRequiredService<TelemetryRetentionJob>();
        (await retention.ApplyAsync(CancellationToken.None)).ShouldBe(2L * Fleet);
        (await retention.ApplyAsync(CancellationToken.None)).ShouldBe(0);
        var sample = await app.WithDbAsync(db => db.Devices.Where(d => d.Name == "fleet-77777").Select(d => d.Id).SingleAsync());
        var folded = await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{sample}/telemetry?keys=t&from={hour}&to={hour + 3_600_000}");
        folded.GetProperty("t").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()).ShouldBe([2.0]);

        var store = app.Services.GetRequiredService<TelemetryStore>();
        (await store.DropBeforeAsync(hour + 3_600_000, CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(Fleet);
        (await CountAsync(app.Services.GetRequiredService<DatabaseConnections>())).ShouldBe(0);
    }

    /// <summary>The devices and three readings each (t = 1, 2, 3 in the given hour), written with set-based SQL: the API would take minutes.</summary>
    private static async Task SeedFleetAsync(CrmApp app, long hour)
    {
        var recent = DateTime.UtcNow.AddSeconds(-5);
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await app.WithDbAsync(async db =>
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
            var numbers = db.IsSqlite
                ? $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Fleet}) "
                : "";
            var source = db.IsSqlite ? "FROM n" : $"FROM generate_series(1, {Fleet}) AS n(i)";
            var online = db.IsSqlite ? "1" : "TRUE";
            var devices = $$$"""
                {{{numbers}}}INSERT INTO devices ("Name", "Model", "TokenHash", "TokenPrefix", "ClientAttributes", "SharedAttributes", "ServerAttributes",
                    "Online", "LastSeenAt", "InactivityTimeoutSeconds", "CreatedAt", "UpdatedAt")
                SELECT 'fleet-' || i, 'TH-100', 'fleet-' || i, 'fleet', '{{}}', '{{}}', '{{}}', {{{online}}}, CASE WHEN i % 10 = 0 THEN {0} ELSE {1} END, 600, {1}, {1}
                {{{source}}}
                """;
            await db.Database.ExecuteSqlRawAsync(devices, recent, old);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO telemetry_keys (\"Name\") VALUES ('t') ON CONFLICT DO NOTHING");
            foreach (var reading in new[] { 1, 2, 3 })
            {
                var readings = $"""
                    INSERT INTO telemetry ("DeviceId", "KeyId", "Ts", "Kind", "Num")
                    SELECT d."Id", k."Id", {hour + reading * 600_000}, 0, {reading} FROM devices d, telemetry_keys k
                    WHERE d."Name" LIKE 'fleet-%' AND k."Name" = 't'
                    """;
                await db.Database.ExecuteSqlRawAsync(readings);
            }
            return 0;
        });
    }

    private static async Task<long> CountAsync(DatabaseConnections connections)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM telemetry";
        return Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
