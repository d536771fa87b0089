using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Alarms;

public sealed class FailurePredictionTests
{
    [Fact]
    public async Task A_device_whose_readings_look_like_past_failures_gets_a_failure_risk_alarm_and_a_healthy_one_does_not()
    {
        // Labelled history: machines fail when torque and tool wear are both high (ai4i2020's overstrain failure, simplified).
        var history = Path.Combine(Path.GetTempPath(), $"failures-{Guid.NewGuid():N}.csv");
        var random = new Random(5);
        var lines = new List<string> { "Torque [Nm],Tool wear [min],Machine failure" };
        for (var i = 0; i < 3_000; i++)
        {
            var torque = 20 + random.NextDouble() * 60;
            var wear = random.NextDouble() * 250;
            var failed = torque * wear > 11_000 && random.NextDouble() < 0.95;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{torque:0.0},{wear:0},{(failed ? 1 : 0)}"));
        }
        await File.WriteAllLinesAsync(history, lines);

        using var app = new CrmApp();
        app.Settings["Alarms:FailureModels:0:Model"] = "MILL-T";
        app.Settings["Alarms:FailureModels:0:TrainingFile"] = history;
        app.Settings["Alarms:FailureModels:0:Features:Torque [Nm]"] = "torque";
        app.Settings["Alarms:FailureModels:0:Features:Tool wear [min]"] = "toolWear";
        app.Settings["Alarms:FailureModels:0:Label"] = "Machine failure";
        app.Settings["Alarms:AnomalyDetection"] = "false";
        var api = app.Admin();
        var (worn, wornToken) = await api.CreateDeviceAsync(model: "MILL-T");
        var (fresh, freshToken) = await api.CreateDeviceAsync(model: "MILL-T");

        await app.SendTelemetryAsync(freshToken, "{\"torque\":30,\"toolWear\":40}");
        await app.SendTelemetryAsync(wornToken, "{\"torque\":70}");
        await app.SendTelemetryAsync(wornToken, "{\"toolWear\":230}");

        var alarm = await Eventually.HoldsAsync(() => OpenAsync(api, worn), a => a.Count == 1, "failure risk alarm");
        alarm[0].GetProperty("type").GetString().ShouldBe("FailureRisk");
        alarm[0].GetProperty("source").GetString().ShouldBe("Prediction");
        alarm[0].GetProperty("message").GetString()!.ShouldContain("torque");
        alarm[0].GetProperty("value").GetDouble().ShouldBeGreaterThan(0.5);
        (await OpenAsync(api, fresh)).ShouldBeEmpty();

        // A new tool: the risk falls and the alarm clears.
        await app.SendTelemetryAsync(wornToken, "{\"toolWear\":5}");
        await Eventually.HoldsAsync(() => OpenAsync(api, worn), a => a.Count == 0, "cleared after the tool change");
        File.Delete(history);
    }

    [Fact]
    public async Task A_device_whose_readings_reach_different_nodes_is_scored_on_all_of_them()
    {
        var history = await TrainingFileAsync();
        using var first = WithModel(new CrmApp(), history);
        using var second = WithModel(new CrmApp(first), history);
        var api = first.Admin();
        second.CreateClient().Dispose();
        var (worn, wornToken) = await api.CreateDeviceAsync(model: "MILL-T");

        // An upstream broker's shared subscription gave the torque to one node and the tool wear to the other.
        await first.SendTelemetryAsync(wornToken, "{\"torque\":70}");
        await second.SendTelemetryAsync(wornToken, "{\"toolWear\":230}");
        var alarm = await Eventually.HoldsAsync(() => OpenAsync(api, worn), a => a.Count == 1, "failure risk alarm from the node that saw only the tool wear");
        alarm[0].GetProperty("type").GetString().ShouldBe("FailureRisk");
        File.Delete(history);
    }

    private static async Task<string> TrainingFileAsync()
    {
        var history = Path.Combine(Path.GetTempPath(), $"failures-{Guid.NewGuid():N}.csv");
        var random = new Random(5);
        var lines = new List<string> { "Torque [Nm],Tool wear [min],Machine failure" };
        for (var i = 0; i < 3_000; i++)
        {
            var torque = 20 + random.NextDouble() * 60;
            var wear = random.NextDouble() * 250;
            var failed = torque * wear > 11_000 && random.NextDouble() < 0.95;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{torque:0.0},{wear:0},{(failed ? 1 : 0)}"));
        }
        await File.WriteAllLinesAsync(history, lines);
        return history;
    }

    private static CrmApp WithModel(CrmApp app, string history)
    {
        app.Settings["Alarms:FailureModels:0:Model"] = "MILL-T";
        app.Settings["Alarms:FailureModels:0:TrainingFile"] = history;
        app.Settings["Alarms:FailureModels:0:Features:Torque [Nm]"] = "torque";
        app.Settings["Alarms:FailureModels:0:Features:Tool wear [min]"] = "toolWear";
        app.Settings["Alarms:FailureModels:0:Label"] = "Machine failure";
        app.Settings["Alarms:AnomalyDetection"] = "false";
        return app;
    }

    [Fact]
    public async Task A_model_that_cannot_be_trained_is_left_out_and_the_crm_runs()
    {
        using var app = new CrmApp();
        app.Settings["Alarms:FailureModels:0:Model"] = "MILL-X";
        app.Settings["Alarms:FailureModels:0:TrainingFile"] = "/nonexistent/history.csv";
        app.Settings["Alarms:FailureModels:0:Features:Torque [Nm]"] = "torque";
        var api = app.Admin();
        var (id, token) = await api.CreateDeviceAsync(model: "MILL-X");
        await app.SendTelemetryAsync(token, "{\"torque\":99}");
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{id}/telemetry/latest")).GetProperty("torque").GetProperty("value").GetInt32().ShouldBe(99);
    }


    private static async Task<List<JsonElement>> OpenAsync(HttpClient api, long device) =>
        [.. (await api.GetFromJsonAsync<JsonElement>($"/api/v1/alarms?deviceId={device}&open=true")).GetProperty("items").EnumerateArray()];
}
