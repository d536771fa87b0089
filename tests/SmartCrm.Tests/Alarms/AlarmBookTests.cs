using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Alarms;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Tests.Devices;
using SmartCrm.Tests.Gateway;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Alarms;

/// <summary>
/// One open alarm per device and type, and one ticket per alarm, whatever the timing: several nodes on one database,
/// devices that reconnect, people acting on an alarm at the same moment as the data.
/// </summary>
public sealed class AlarmBookTests(BrokerApps apps) : IClassFixture<BrokerApps>
{
    private const long T0 = 1_767_225_600_000;

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Two_nodes_that_see_the_same_fault_at_once_open_one_alarm_with_one_ticket_and_count_every_reading(Provider provider)
    {
        using var first = new CrmApp(provider);
        using var second = new CrmApp(first);
        var api = first.Admin();
        second.CreateClient().Dispose();
        var model = Builders.Unique("WH-");
        // Two lines on one alarm type: a hot tank is Major, a very hot one Critical (the escalation opens the ticket).
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Tank hot", model, key = "tankTemperature", comparison = "Above", threshold = 80, severity = "Major", alarmType = "Overheat" });
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Tank very hot", model, key = "tankTemperature", comparison = "Above", threshold = 90, severity = "Critical", alarmType = "Overheat" });
        var customer = await api.CreateCustomerAsync();
        var devices = new List<(long Id, string Token)>();
        for (var d = 0; d < 8; d++) devices.Add(await api.CreateDeviceAsync(customer, model));

        const int perNode = 10;
        // Each node gets every other reading of every device, all devices at once (an upstream broker's shared subscription).
        await Task.WhenAll(devices.SelectMany(device => new[] { SendAsync(first, device.Token, 0), SendAsync(second, device.Token, 1) }));

        foreach (var (id, _) in devices)
        {
            var alarms = await Eventually.HoldsAsync(() => AlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("count").GetInt32() == 2 * perNode,
                "one alarm counting every reading of both nodes");
            alarms[0].GetProperty("severity").GetString().ShouldBe("Critical");
            alarms[0].GetProperty("clearedAt").ValueKind.ShouldBe(JsonValueKind.Null);
        }
        var tickets = await first.WithDbAsync(db => db.Tickets.Where(t => t.CustomerId == customer).Select(t => t.Id).ToListAsync());
        tickets.Count.ShouldBe(devices.Count, "one ticket per alarm");
        var linked = await first.WithDbAsync(db => db.Alarms.Where(a => a.CustomerId == customer).Select(a => a.TicketId).ToListAsync());
        linked.ShouldBe(tickets.Cast<long?>(), ignoreOrder: true);

        async Task SendAsync(CrmApp node, string token, int parity)
        {
            for (var i = 0; i < perNode; i++)
            {
                await node.SendTelemetryAsync(token, $"{{\"ts\":{T0 + 2 * i + parity},\"values\":{{\"tankTemperature\":95}}}}");
            }
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task An_alarm_raised_on_one_node_is_cleared_by_a_reading_on_another(Provider provider)
    {
        using var first = new CrmApp(provider);
        using var second = new CrmApp(first);
        var api = first.Admin();
        second.CreateClient().Dispose();
        var model = Builders.Unique("WH-");
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Tank hot", model, key = "tankTemperature", comparison = "Above", threshold = 80, clearThreshold = 75, alarmType = "Overheat" });
        var (id, token) = await api.CreateDeviceAsync(model: model);

        await first.SendTelemetryAsync(token, $"{{\"ts\":{T0},\"values\":{{\"tankTemperature\":90}}}}");
        await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1, "raised on the first node");
        await second.SendTelemetryAsync(token, $"{{\"ts\":{T0 + 1},\"values\":{{\"tankTemperature\":70}}}}");
        await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 0, "cleared by the second node, which never raised it");

        // And a node started after the alarm (a restart) counts the fault on the open alarm rather than opening another.
        await second.SendTelemetryAsync(token, $"{{\"ts\":{T0 + 2},\"values\":{{\"tankTemperature\":91}}}}");
        var open = await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1, "raised again on the second node");
        using var restarted = new CrmApp(first);
        await restarted.SendTelemetryAsync(token, $"{{\"ts\":{T0 + 3},\"values\":{{\"tankTemperature\":92}}}}");
        var counted = await Eventually.HoldsAsync(() => AlarmsAsync(api, id), a => a.Count == 2 && a.Any(x => x.GetProperty("count").GetInt32() == 2), "counted by the restarted node");
        counted.Single(a => a.GetProperty("clearedAt").ValueKind == JsonValueKind.Null).Id().ShouldBe(open[0].Id());
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_device_that_reconnects_with_the_same_fault_gets_no_second_ticket_while_the_first_is_open(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var model = Builders.Unique("WH-");
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Tank overheating", model, key = "tankTemperature", comparison = "Above", threshold = 85, clearThreshold = 75, severity = "Critical", alarmType = "Overheating" });
        var customer = await api.CreateCustomerAsync();
        var (id, token) = await api.CreateDeviceAsync(customer, model);

        await using (var device = await ConnectAsync(app, token))
        {
            await PublishAsync(device, T0, 90);
        }
        var first = (await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("ticketId").ValueKind == JsonValueKind.Number, "first alarm and its ticket"))[0];
        var ticket = first.GetProperty("ticketId").GetInt64();

        // The device comes back (a reboot: normal at first, then the same fault again), as the simulator's devices do.
        await using (var device = await ConnectAsync(app, token))
        {
            await PublishAsync(device, T0 + 60_000, 50);
            await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 0, "cleared by the normal reading");
            await PublishAsync(device, T0 + 61_000, 92);
        }
        var second = (await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("ticketId").ValueKind == JsonValueKind.Number, "second alarm, linked"))[0];
        second.Id().ShouldNotBe(first.Id(), "the first alarm was cleared: this is a new one");
        second.GetProperty("ticketId").GetInt64().ShouldBe(ticket, "the fault's ticket is still open: the new alarm joins it");
        (await app.WithDbAsync(db => db.Tickets.CountAsync(t => t.CustomerId == customer))).ShouldBe(1);
        var history = await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms/{second.Id()}");
        history.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ShouldBe(["Raised", "TicketLinked"]);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_ticket_closed_while_its_alarm_is_active_stays_closed_and_the_fault_returning_later_opens_a_new_one(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var model = Builders.Unique("WH-");
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Leak", model, key = "leak", comparison = "AtLeast", threshold = 1, severity = "Critical", alarmType = "Leak" });
        var customer = await api.CreateCustomerAsync();
        var (id, token) = await api.CreateDeviceAsync(customer, model);
        await app.SendTelemetryAsync(token, $"{{\"ts\":{T0},\"values\":{{\"leak\":1}}}}");
        var alarm = (await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1, "leak alarm"))[0];
        var ticketId = alarm.GetProperty("ticketId").GetInt64();

        // An agent closes the ticket (the plumber is booked) while the sensor still reports the leak.
        var ticket = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}");
        (await api.PutAsJsonAsync($"/api/v1/tickets/{ticketId}", new
        {
            customerId = customer, kind = "Fault", status = "Closed", priority = "Urgent", subject = ticket.GetProperty("subject").GetString(),
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await app.SendTelemetryAsync(token, $"{{\"ts\":{T0 + 1},\"values\":{{\"leak\":1}}}}");
        await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("count").GetInt32() == 2, "still the same alarm");
        (await app.WithDbAsync(db => db.Tickets.Where(t => t.CustomerId == customer).Select(t => t.Status).ToListAsync()))
            .ShouldBe([SmartCrm.Tickets.TicketStatus.Closed], "a person's decision is not undone, and no second ticket for the same alarm");

        // Fixed, then leaking again another day: a new alarm, and with no open ticket for it, a new ticket.
        // (The rule has no clear line: three dry readings in a row clear it.)
        for (var i = 2; i <= 4; i++) await app.SendTelemetryAsync(token, $"{{\"ts\":{T0 + i},\"values\":{{\"leak\":0}}}}");
        await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 0, "cleared");
        await app.SendTelemetryAsync(token, $"{{\"ts\":{T0 + 5},\"values\":{{\"leak\":1}}}}");
        var again = (await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("ticketId").ValueKind == JsonValueKind.Number, "new alarm with a ticket"))[0];
        again.GetProperty("ticketId").GetInt64().ShouldNotBe(ticketId);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task People_acknowledging_and_clearing_at_the_same_moment_leave_a_cleared_alarm_with_one_entry_for_each_step(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var other = app.ClientAs(SmartCrm.Security.Role.Admin);
        var (deviceId, _) = await api.CreateDeviceAsync();
        var ids = await app.WithDbAsync(async db =>
        {
            var alarms = Enumerable.Range(0, 12).Select(i => new Alarm
            {
                DeviceId = deviceId, Type = $"Race{i}", Severity = AlarmSeverity.Major, Status = AlarmStatus.Active, Source = AlarmSource.Rule, Message = "race",
                StartedAt = DateTime.UtcNow, LastAt = DateTime.UtcNow,
            }).ToList();
            db.Alarms.AddRange(alarms);
            await db.SaveChangesAsync();
            return alarms.Select(a => a.Id).ToList();
        });

        await Task.WhenAll(ids.SelectMany(id => new[]
        {
            api.PostAsync($"/api/v1/alarms/{id}/acknowledge", null), other.PostAsync($"/api/v1/alarms/{id}/clear", null),
            api.PostAsync($"/api/v1/alarms/{id}/clear", null), other.PostAsync($"/api/v1/alarms/{id}/acknowledge", null),
        }));

        foreach (var id in ids)
        {
            var detail = await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms/{id}");
            var alarm = detail.GetProperty("alarm");
            alarm.GetProperty("status").GetString().ShouldBe("Cleared", $"alarm {id}");
            var actions = detail.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
            actions.Count(a => a == "Cleared").ShouldBe(1, $"alarm {id}: {string.Join(", ", actions)}");
            actions.Count(a => a == "Acknowledged").ShouldBeLessThanOrEqualTo(1, $"alarm {id}: {string.Join(", ", actions)}");
            (alarm.GetProperty("acknowledgedAt").ValueKind == JsonValueKind.Null).ShouldBe(!actions.Contains("Acknowledged"), $"alarm {id}");
        }
    }

    private static async Task<MqttClient> ConnectAsync(CrmApp app, string token)
    {
        var port = app.Services.GetRequiredService<SmartCrm.Gateway.DeviceGateway>().Port!.Value;
        var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = "reconnecting-" + token[..6], UserName = token, ProtocolVersion = MqttProtocolVersion.V311, AutoReconnect = false });
        await client.ConnectAsync();
        return client;
    }

    private static async Task PublishAsync(MqttClient device, long ts, double tank) =>
        (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes($"{{\"ts\":{ts},\"values\":{{\"tankTemperature\":{tank}}}}}"), QualityOfService.AtLeastOnce))
            .ShouldBe(ReasonCode.Success);

    private static async Task<List<JsonElement>> AlarmsAsync(HttpClient api, long deviceId) =>
        [.. (await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms?deviceId={deviceId}")).GetProperty("items").EnumerateArray()];

    private static async Task<List<JsonElement>> OpenAlarmsAsync(HttpClient api, long deviceId) =>
        [.. (await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms?deviceId={deviceId}&open=true")).GetProperty("items").EnumerateArray()];
}
