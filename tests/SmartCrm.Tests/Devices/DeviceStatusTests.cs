using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Devices;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Devices;

public sealed class DeviceStatusTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_device_silent_longer_than_its_timeout_goes_offline_and_a_message_brings_it_back(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var (silent, silentToken) = await api.CreateDeviceAsync();
        var (chatty, chattyToken) = await api.CreateDeviceAsync();
        foreach (var token in new[] { silentToken, chattyToken })
        {
            await app.SendTelemetryAsync(token, "{\"t\":1}");
        }
        var longAgo = DateTime.UtcNow.AddMinutes(-11);
        await app.WithDbAsync(db => db.Devices.Where(d => d.Id == silent).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastSeenAt, longAgo)));

        await app.Services.GetRequiredService<DeviceStatusJob>().MarkSilentDevicesOfflineAsync(CancellationToken.None);

        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{silent}")).GetProperty("online").GetBoolean().ShouldBeFalse();
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{chatty}")).GetProperty("online").GetBoolean().ShouldBeTrue();
        await app.SendTelemetryAsync(silentToken, "{\"t\":2}");
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{silent}")).GetProperty("online").GetBoolean().ShouldBeTrue();
    }
}
