using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Models;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>Model trainings as a user asks for them: through the API, waiting for the run to finish.</summary>
public static class Training
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Asks for a training of <paramref name="kind"/> and waits for its run to finish.</summary>
    public static async Task<TrainingRun> TrainAsync(this HttpClient client, string kind, int seconds = 120)
    {
        var response = await client.PostAsync($"/api/v1/models/{kind}/train", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var run = (await response.Content.ReadFromJsonAsync<TrainingRun>(Json))!;
        return await Eventually.HoldsAsync(async () => (await client.GetFromJsonAsync<TrainingRun>($"/api/v1/models/runs/{run.Id}", Json))!,
            r => r.Finished, $"run {run.Id} finished", seconds);
    }

    /// <summary>Trains <paramref name="kind"/> and answers the version the run registered, as GET /api/v1/models lists it.</summary>
    public static async Task<JsonElement> TrainVersionAsync(this HttpClient client, string kind)
    {
        var run = await client.TrainAsync(kind);
        run.State.ShouldBe(TrainingState.Succeeded, run.Message);
        var versions = await client.GetFromJsonAsync<JsonElement>($"/api/v1/models?kind={kind}");
        return versions.EnumerateArray().Single(v => v.GetProperty("id").GetInt64() == run.ModelVersionId);
    }
}
