using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Alarms;

public sealed class AlarmsTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_threshold_rule_raises_one_alarm_counts_repeats_and_clears_past_the_hysteresis(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var model = Builders.Unique("WH-");
        await api.CreateAsync("/api/v1/alarm-rules", new
        {
            name = "Tank too hot", model, key = "tankTemperature", comparison = "Above", threshold = 80, clearThreshold = 75, severity = "Major", alarmType = "Overheat",
        });
        var customer = await api.CreateCustomerAsync();
        var (id, token) = await api.CreateDeviceAsync(customer, model);
        var (other, otherToken) = await api.CreateDeviceAsync(customer, "another-model");

        foreach (var t in new[] { 70, 85, 90, 88 }) await app.SendTelemetryAsync(token, $"{{\"tankTemperature\":{t}}}");
        await app.SendTelemetryAsync(otherToken, "{\"tankTemperature\":99}");
        var alarm = await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("count").GetInt32() == 3, "one alarm counted three times");
        alarm[0].GetProperty("type").GetString().ShouldBe("Overheat");
        alarm[0].GetProperty("severity").GetString().ShouldBe("Major");
        alarm[0].GetProperty("value").GetDouble().ShouldBe(88);
        (await OpenAlarmsAsync(api, other)).Where(a => a.GetProperty("type").GetString() == "Overheat").ShouldBeEmpty("the rule watches one model");

        await app.SendTelemetryAsync(token, "{\"tankTemperature\":78}");
        await Task.Delay(300);
        (await OpenAlarmsAsync(api, id)).Count.ShouldBe(1, "78 is below the threshold but above the clear line");
        await app.SendTelemetryAsync(token, "{\"tankTemperature\":74}");
        await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 0, "cleared at 74");

        var history = await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms/{alarm[0].Id()}");
        history.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ShouldBe(["Raised", "Cleared"]);
        history.GetProperty("alarm").GetProperty("status").GetString().ShouldBe("Cleared");
        (await app.WithDbAsync(db => Task.FromResult(db.Tickets.Count(t => t.CustomerId == customer)))).ShouldBe(0, "only critical alarms open tickets");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_critical_alarm_opens_one_fault_ticket_for_the_owner_however_often_it_repeats(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var model = Builders.Unique("AP-");
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Fan stalled", model, key = "fanRpm", comparison = "Below", threshold = 100, severity = "Critical", alarmType = "FanStall" });
        var customer = await api.CreateCustomerAsync();
        var (id, token) = await api.CreateDeviceAsync(customer, model, name: "Bedroom purifier");

        for (var i = 0; i < 5; i++) await app.SendTelemetryAsync(token, "{\"fanRpm\":0}");
        var alarm = await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1 && a[0].GetProperty("count").GetInt32() == 5, "counted five times");
        var ticketId = alarm[0].GetProperty("ticketId").GetInt64();

        var tickets = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets?customerId={customer}");
        tickets.GetProperty("total").GetInt32().ShouldBe(1);
        var ticket = tickets.GetProperty("items")[0];
        ticket.Id().ShouldBe(ticketId);
        ticket.GetProperty("kind").GetString().ShouldBe("Fault");
        ticket.GetProperty("priority").GetString().ShouldBe("Urgent");
        ticket.GetProperty("subject").GetString()!.ShouldStartWith("Bedroom purifier:");

        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customer}/360");
        view.GetProperty("openTickets").GetArrayLength().ShouldBe(1);
        var device = view.GetProperty("devices").EnumerateArray().Single(d => d.Id() == id);
        device.GetProperty("openAlarms").GetInt32().ShouldBe(1);
        device.GetProperty("online").GetBoolean().ShouldBeTrue();
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task People_acknowledge_and_clear_alarms_and_the_history_says_who(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var model = Builders.Unique("TH-");
        await api.CreateAsync("/api/v1/alarm-rules", new { name = "Battery low", model, key = "battery", comparison = "AtMost", threshold = 10, severity = "Warning", alarmType = "BatteryLow" });
        var (id, token) = await api.CreateDeviceAsync(model: model);
        await app.SendTelemetryAsync(token, "{\"battery\":5}");
        var alarm = (await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1, "battery alarm"))[0];

        var acknowledged = await (await api.PostAsync($"/api/v1/alarms/{alarm.Id()}/acknowledge", null)).ReadAsync<JsonElement>();
        acknowledged.GetProperty("status").GetString().ShouldBe("Acknowledged");
        acknowledged.GetProperty("acknowledgedBy").GetString().ShouldBe("apikey:test-Admin");
        var cleared = await (await api.PostAsJsonAsync($"/api/v1/alarms/{alarm.Id()}/clear", new { note = "Battery replaced" })).ReadAsync<JsonElement>();
        cleared.GetProperty("status").GetString().ShouldBe("Cleared");

        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms/{alarm.Id()}");
        var history = detail.GetProperty("history").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("action").GetString()).ShouldBe(["Raised", "Acknowledged", "Cleared"]);
        history[2].GetProperty("note").GetString().ShouldBe("Battery replaced");

        // Still low after the clear: a new alarm, not the old one reopened.
        await app.SendTelemetryAsync(token, "{\"battery\":4}");
        var again = await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1, "a new battery alarm");
        again[0].Id().ShouldNotBe(alarm.Id());
        (await apps.For(provider).ClientAs(SmartCrm.Security.Role.Sales).PostAsync($"/api/v1/alarms/{alarm.Id()}/acknowledge", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.PostAsync("/api/v1/alarms/987654321/clear", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_reading_far_from_the_devices_usual_values_raises_an_anomaly(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync();
        var random = new Random(3);
        var readings = Enumerable.Range(0, 60).Select(i => $"{{\"ts\":{1_767_225_600_000 + i * 1000},\"values\":{{\"roomTemperature\":{21 + random.NextDouble():0.00}}}}}");
        await app.SendTelemetryAsync(token, "[" + string.Join(",", readings) + "]");
        await Task.Delay(300);
        (await OpenAlarmsAsync(api, id)).ShouldBeEmpty("normal readings raise nothing");

        // 35 °C would lie 13 spans of the last 40 readings beyond them; the detector asks for 15, since heavy-tailed signals (a
        // purifier's particle count) reach 10 when healthy. A sensor reading 60 °C in a room at 21 is well past it.
        await app.SendTelemetryAsync(token, $"{{\"ts\":{1_767_225_600_000 + 60_000},\"values\":{{\"roomTemperature\":60}}}}");
        var alarm = await Eventually.HoldsAsync(() => OpenAlarmsAsync(api, id), a => a.Count == 1, "anomaly alarm");
        alarm[0].GetProperty("type").GetString().ShouldBe("Anomaly:roomTemperature");
        alarm[0].GetProperty("source").GetString().ShouldBe("Anomaly");
        alarm[0].GetProperty("message").GetString()!.ShouldNotContain("Infinity");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Rules_with_a_clear_line_on_the_wrong_side_are_refused(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var response = await api.PostAsJsonAsync("/api/v1/alarm-rules", new { name = "x", key = "t", comparison = "Above", threshold = 80, clearThreshold = 90 });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("clearThreshold");
        var noComparison = await api.PostAsJsonAsync("/api/v1/alarm-rules", new { name = "x", key = "t", threshold = 80 });
        (await noComparison.Content.ReadAsStringAsync()).ShouldContain("comparison");
    }


    private static async Task<List<JsonElement>> OpenAlarmsAsync(HttpClient api, long deviceId) =>
        [.. (await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms?deviceId={deviceId}&open=true")).GetProperty("items").EnumerateArray()];
}
