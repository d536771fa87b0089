using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Models;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Models;

/// <summary>Two model kinds that train on nothing: "scored" returns the next queued score, "slow" reports progress for ten seconds.</summary>
public sealed class TrainingApp : CrmApp
{
    public TrainingApp(Provider provider) : base(provider) => Settings["Models:PollSeconds"] = "0.1";

    public ConcurrentQueue<double> Scores { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ModelTraining>(new ScoredTraining(Scores));
            services.AddSingleton<ModelTraining, SlowTraining>();
        });
    }

    private sealed class ScoredTraining(ConcurrentQueue<double> scores) : ModelTraining
    {
        public override string Kind => "scored";

        public override TimeSpan? Refresh => null;

        public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
        {
            await progress.ReportAsync(0.5, "half way", cancellationToken);
            scores.TryDequeue(out var score).ShouldBeTrue("a score was queued");
            var now = DateTime.UtcNow;
            return new ModelCandidate(Kind, "auc", score, true, new Dictionary<string, double> { ["auc"] = score }, now.AddDays(-30), now, [1, 2, 3]);
        }
    }

    private sealed class SlowTraining : ModelTraining
    {
        public override string Kind => "slow";

        public override TimeSpan? Refresh => null;

        public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
        {
            for (var step = 1; step <= 200; step++)
            {
                await Task.Delay(50, cancellationToken);
                await progress.ReportAsync(step / 200.0, $"step {step}", cancellationToken);
            }
            return new ModelCandidate(Kind, "auc", 0.5, true, new Dictionary<string, double>(), DateTime.UtcNow, DateTime.UtcNow, null);
        }
    }
}

public sealed class TrainingApps : IDisposable
{
    private readonly Dictionary<Provider, TrainingApp> _apps = [];
    private readonly Lock _gate = new();

    public TrainingApp For(Provider provider)
    {
        lock (_gate)
        {
            if (!_apps.TryGetValue(provider, out var app)) _apps[provider] = app = new TrainingApp(provider);
            return app;
        }
    }

    public void Dispose()
    {
        foreach (var app in _apps.Values) app.Dispose();
    }
}

public sealed class ModelRegistryTests(TrainingApps apps) : IClassFixture<TrainingApps>
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static async Task<TrainingRun> FinishedAsync(HttpClient client, long run) =>
        await Eventually.HoldsAsync(async () => (await client.GetFromJsonAsync<TrainingRun>($"/api/v1/models/runs/{run}", Json))!, r => r.Finished, $"run {run} finished", 30);

    private static async Task<TrainingRun> TrainAsync(HttpClient client, string kind)
    {
        var response = await client.PostAsync($"/api/v1/models/{kind}/train", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<TrainingRun>(Json))!;
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_worse_model_is_kept_in_the_history_but_not_activated(Provider provider)
    {
        var app = apps.For(provider);
        var client = app.ClientAs(Role.Analyst);
        app.Scores.Enqueue(0.80);
        var first = await FinishedAsync(client, (await TrainAsync(client, "scored")).Id);
        first.State.ShouldBe(TrainingState.Succeeded);
        app.Scores.Enqueue(0.70);
        var worse = await FinishedAsync(client, (await TrainAsync(client, "scored")).Id);
        worse.State.ShouldBe(TrainingState.Succeeded);
        worse.Message!.ShouldContain("kept inactive");
        app.Scores.Enqueue(0.85);
        await FinishedAsync(client, (await TrainAsync(client, "scored")).Id);

        var history = (await client.GetFromJsonAsync<List<ModelVersion>>("/api/v1/models?kind=scored", Json))!;
        history.Select(v => (v.Version, v.Score, v.Active)).ShouldBe([(3, 0.85, true), (2, 0.70, false), (1, 0.80, false)]);
        history.Single(v => v.Version == 2).Decision!.ShouldContain("worse than active v1");
        history.ShouldAllBe(v => v.Metrics!.Contains("auc") && v.TrainedFrom < v.TrainedTo);
        var active = await app.Services.GetRequiredService<ModelRegistry>().ActiveAsync("scored", CancellationToken.None);
        active!.Version.ShouldBe(3);
        active.Payload.ShouldBe(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public async Task A_running_training_shows_progress_and_stops_when_cancelled()
    {
        var client = apps.For(Provider.Sqlite).ClientAs(Role.Manager);
        var run = await TrainAsync(client, "slow");
        (await TrainAsync(client, "slow")).Id.ShouldBe(run.Id, "asking twice trains once");
        await Eventually.HoldsAsync(async () => (await client.GetFromJsonAsync<TrainingRun>($"/api/v1/models/runs/{run.Id}", Json))!,
            r => r.State == TrainingState.Running && r.Progress > 0 && r.Message!.StartsWith("step", StringComparison.Ordinal), "progress reported");

        (await client.PostAsync($"/api/v1/models/runs/{run.Id}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var finished = await FinishedAsync(client, run.Id);
        finished.State.ShouldBe(TrainingState.Cancelled);
        finished.Progress.ShouldBeLessThan(1);
        (await client.GetFromJsonAsync<List<ModelVersion>>("/api/v1/models?kind=slow", Json))!.ShouldBeEmpty("a cancelled training registers nothing");
    }

    [Fact]
    public async Task Reading_the_history_needs_models_read_and_training_needs_models_train()
    {
        var app = apps.For(Provider.Sqlite);
        (await app.ClientAs(Role.ReadOnly).GetAsync("/api/v1/models")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.ClientAs(Role.Sales).PostAsync("/api/v1/models/scored/train", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.ClientAs(Role.Analyst).GetAsync("/api/v1/models")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var unknown = await app.ClientAs(Role.Analyst).PostAsync("/api/v1/models/no-such-model/train", null);
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("kind");
        (await app.ClientAs(Role.Analyst).PostAsync("/api/v1/models/runs/987654/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
