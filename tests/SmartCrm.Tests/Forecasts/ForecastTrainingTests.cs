using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Forecasts;
using SmartCrm.Models;
using SmartCrm.Orders;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Forecasts;

public sealed class ForecastTrainingTests(ForecastApps apps) : IClassFixture<ForecastApps>
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Asks for a training of a forecast kind and waits for it to finish.</summary>
    internal static async Task<TrainingRun> TrainAsync(HttpClient client, string kind)
    {
        var response = await client.PostAsync($"/api/v1/models/{ForecastKinds.Model(kind)}/train", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var run = (await response.Content.ReadFromJsonAsync<TrainingRun>(Json))!;
        return await Eventually.HoldsAsync(async () => (await client.GetFromJsonAsync<TrainingRun>($"/api/v1/models/runs/{run.Id}", Json))!,
            r => r.Finished, $"run {run.Id} finished", 180);
    }

    internal static async Task OrderAsync(CrmApp app, long customer, long product, int quantity, DateTime at) =>
        await app.WithDbAsync(async db =>
        {
            db.Orders.Add(new Order
            {
                CustomerId = customer, OrderedAt = at, Status = OrderStatus.Paid, Total = 10m * quantity,
                Lines = [new OrderLine { ProductId = product, Quantity = quantity, UnitPrice = 10m }],
            });
            return await db.SaveChangesAsync();
        });

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Demand_and_revenue_are_forecast_with_intervals_and_a_worse_version_is_not_activated(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var product = await admin.CreateProductAsync(10m, "Accessory");
        var customer = await admin.CreateCustomerAsync();
        var thisWeek = Weeks.Start(DateTime.UtcNow);
        // A steady climb of about a unit a week over 40 weeks: a model with a trend forecasts it far better than naive.
        for (var w = 0; w < 40; w++)
        {
            await OrderAsync(app, customer, product, 10 + w + (w * 7 % 3) - 1, thisWeek.AddDays(-7 * (40 - w)).AddHours(30));
        }

        (await TrainAsync(admin, ForecastKinds.Demand)).State.ShouldBe(TrainingState.Succeeded);
        var versions = (await admin.GetFromJsonAsync<List<ModelVersion>>("/api/v1/models?kind=demand-forecast", Json))!;
        var first = versions.ShouldHaveSingleItem();
        first.Active.ShouldBeTrue();
        first.Metric.ShouldBe("mase");
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(first.Metrics!)!;
        metrics["mase"].ShouldBeLessThan(metrics["naive_mase"], "the chosen method beats the naive forecast on the held-out weeks");

        var list = (await admin.GetFromJsonAsync<List<ForecastSeries>>("/api/v1/forecasts?kind=demand", Json))!;
        var series = list.ShouldHaveSingleItem();
        series.SubjectId.ShouldBe(product);
        series.Method.ShouldNotBe("naive");
        series.Mase!.Value.ShouldBeLessThan(series.NaiveMase!.Value);
        var view = (await admin.GetFromJsonAsync<ForecastView>($"/api/v1/forecasts/demand/{product}", Json))!;
        var history = view.Points.Where(p => p.Actual is not null).ToList();
        var ahead = view.Points.Where(p => p.Mean is not null).ToList();
        history.Count.ShouldBe(40);
        history[^1].Actual.ShouldBe(10 + 39 + (39 * 7 % 3) - 1);
        ahead.Count.ShouldBe(26);
        ahead[0].Week.ShouldBe(thisWeek);
        ahead.ShouldAllBe(p => p.Lower <= p.Mean && p.Mean <= p.Upper && p.Lower >= 0, "the interval holds the point forecast");
        ahead[^1].Mean!.Value.ShouldBeGreaterThan(ahead[0].Mean!.Value, "the climb goes on");
        ahead[0].Mean!.Value.ShouldBeInRange(45, 56);
        (ahead[^1].Upper - ahead[^1].Lower).ShouldNotBeNull().ShouldBeGreaterThan((ahead[0].Upper - ahead[0].Lower)!.Value, "further weeks are less certain");

        var csv = await admin.GetStringAsync($"/api/v1/forecasts/demand/{product}.csv");
        csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1 + 40 + 26);
        csv.ShouldStartWith("week,actual,forecast,lower,upper\r\n");
        (await admin.GetAsync("/api/v1/forecasts?kind=weather")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.GetAsync("/api/v1/forecasts/demand/987654321")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await TrainAsync(admin, ForecastKinds.Revenue)).State.ShouldBe(TrainingState.Succeeded);
        var revenue = (await admin.GetFromJsonAsync<ForecastView>("/api/v1/forecasts/revenue/0", Json))!;
        revenue.Series.Label.ShouldBe("all");
        revenue.Points.Where(p => p.Actual is not null).Sum(p => p.Actual!.Value).ShouldBe(Enumerable.Range(0, 40).Sum(w => 10.0 * (10 + w + (w * 7 % 3) - 1)));

        // The console: the chart with its interval, the chosen model and its holdout error in words, the numbers and their CSV.
        using (var console = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword))
        {
            var page = await console.Client.GetStringAsync($"/forecasts?kind=demand&id={product}");
            page.ShouldContain("data-chart=\"forecast\"");
            page.ShouldContain($"data-method=\"{series.Method}\"");
            page.ShouldContain("sMAPE");
            page.ShouldContain("<svg");
            // The interval is a shaded band (translucent, so it reads on light and dark), not two dashed lines.
            page.ShouldContain("rz-range-area-series");
            page.ShouldContain("fill=\"rgba(224, 123, 0, 0.25)\"");
            page.ShouldNotContain("stroke-dasharray");
            // The method's words in the reader's language, its notation as it is.
            var method = series.Method switch { "naive" => "朴素预测", var m => m.Replace(" with non-zero mean", " （含非零均值）", StringComparison.Ordinal).Replace(" with drift", " （含漂移）", StringComparison.Ordinal) };
            using var inChinese = new HttpRequestMessage(HttpMethod.Get, $"/forecasts?kind=demand&id={product}");
            inChinese.Headers.AcceptLanguage.ParseAdd("zh-CN");
            var chinese = await (await console.Client.SendAsync(inChinese)).Content.ReadAsStringAsync();
            chinese.ShouldContain($"模型 {method}，");
            chinese.ShouldNotContain(" with non-zero mean");
            page.ShouldContain($"/api/v1/forecasts/demand/{product}.csv");
            System.Text.RegularExpressions.Regex.Count(page, "<tr data-week=").ShouldBe(66);
            var revenuePage = await console.Client.GetStringAsync("/forecasts?kind=usage");
            revenuePage.ShouldContain("data-no-forecasts");
            var models = await console.Client.GetStringAsync("/models");
            models.ShouldContain("data-chart=\"model-demand-forecast\"");
            models.ShouldContain("/api/v1/models/demand-forecast/metrics.csv");
        }

        // The last eight weeks swing wildly: what was learnt before them misses them by far more, so the new version is kept out.
        for (var w = 32; w < 40; w += 2) await OrderAsync(app, customer, product, 60, thisWeek.AddDays(-7 * (40 - w)).AddHours(40));
        var second = await TrainAsync(admin, ForecastKinds.Demand);
        second.State.ShouldBe(TrainingState.Succeeded);
        second.Message!.ShouldContain("kept inactive");
        versions = (await admin.GetFromJsonAsync<List<ModelVersion>>("/api/v1/models?kind=demand-forecast", Json))!;
        versions.Count.ShouldBe(2);
        versions.Single(v => v.Version == 2).Active.ShouldBeFalse();
        versions.Single(v => v.Version == 2).Score.ShouldBeGreaterThan(first.Score);
        var kept = (await admin.GetFromJsonAsync<ForecastView>($"/api/v1/forecasts/demand/{product}", Json))!;
        kept.Series.ModelVersion.ShouldBe(1);
        kept.Points.Count(p => p.Actual is not null).ShouldBe(40);
        kept.Points.Where(p => p.Actual is not null).Sum(p => p.Actual!.Value).ShouldBe(history.Sum(p => p.Actual!.Value), "the active version's weeks are unchanged");

        // The holdout metric over versions, as the Models page charts it.
        var metricsCsv = await admin.GetStringAsync("/api/v1/models/demand-forecast/metrics.csv");
        metricsCsv.ShouldStartWith("version,mase,active\r\n");
        metricsCsv.ShouldContain("v1,");
        metricsCsv.ShouldContain("v2,");
    }

    [Theory]
    [InlineData(Role.ReadOnly, "/api/v1/forecasts?kind=demand", HttpStatusCode.OK)]
    [InlineData(Role.Sales, "/api/v1/forecasts/usage/987654", HttpStatusCode.NotFound)]
    [InlineData(Role.Support, "/api/v1/forecasts/revenue/987654.csv", HttpStatusCode.NotFound)]
    [InlineData(Role.ReadOnly, "/api/v1/models/demand-forecast/metrics.csv", HttpStatusCode.Forbidden)]
    [InlineData(Role.Sales, "/api/v1/models/demand-forecast/metrics.csv", HttpStatusCode.Forbidden)]
    [InlineData(Role.Analyst, "/api/v1/models/demand-forecast/metrics.csv", HttpStatusCode.OK)]
    [InlineData(Role.Analyst, "/api/v1/models/no-such-kind/metrics.csv", HttpStatusCode.BadRequest)]
    [InlineData(Role.ReadOnly, "/api/v1/models/demand-forecast/train", HttpStatusCode.Forbidden)]
    public async Task Forecasts_are_read_by_every_role_and_model_metrics_by_those_who_see_models(Role role, string path, HttpStatusCode expected)
    {
        var app = apps.For(Provider.Sqlite);
        var post = path.EndsWith("/train", StringComparison.Ordinal);
        var response = post ? await app.ClientAs(role).PostAsync(path, null) : await app.ClientAs(role).GetAsync(path);
        response.StatusCode.ShouldBe(expected);
        (post ? await app.CreateClient().PostAsync(path, null) : await app.CreateClient().GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(Role.ReadOnly, HttpStatusCode.OK)]
    [InlineData(Role.Sales, HttpStatusCode.OK)]
    [InlineData(Role.Support, HttpStatusCode.OK)]
    public async Task The_forecasts_page_opens_for_every_role_that_reads_customers(Role role, HttpStatusCode expected)
    {
        var app = apps.For(Provider.Sqlite);
        var (_, _, session) = await ConsoleSession.NewUserAsync(app, app.Admin(), role);
        using (session)
        {
            var response = await session.Client.GetAsync("/forecasts?kind=usage");
            response.StatusCode.ShouldBe(expected);
            (await response.Content.ReadAsStringAsync()).ShouldContain("data-kind=\"usage\"");
        }
    }

    [Fact]
    public void The_interval_holds_the_point_forecast_and_the_holdout_is_measured_against_naive()
    {
        var random = new Random(7);
        var walk = new double[52];
        for (var i = 1; i < walk.Length; i++) walk[i] = Math.Max(0, walk[i - 1] + 20 + random.NextDouble() * 10 - 5);
        var forecast = AutomaticForecast.Fit(walk, 8, 26, 0.8, CancellationToken.None);
        forecast.Mean.Length.ShouldBe(26);
        for (var h = 0; h < 26; h++)
        {
            forecast.Lower[h].ShouldBeLessThanOrEqualTo(forecast.Mean[h]);
            forecast.Upper[h].ShouldBeGreaterThanOrEqualTo(forecast.Mean[h]);
        }
        forecast.Upper[25].ShouldBeGreaterThan(forecast.Lower[25]);
        forecast.Mase.ShouldNotBeNull();
        forecast.NaiveMase.ShouldNotBeNull();
        forecast.Mase!.Value.ShouldBeLessThan(forecast.NaiveMase!.Value, "a drifting series is better forecast with its drift");
        forecast.Smape!.Value.ShouldBeLessThan(forecast.NaiveSmape!.Value);

        var shortHistory = AutomaticForecast.Fit([3, 4, 5, 4, 6], 8, 4, 0.8, CancellationToken.None);
        shortHistory.Method.ShouldBe("naive");
        shortHistory.Mase.ShouldBeNull("too short to hold weeks out");
        AutomaticForecast.Smape([0, 2], [0, 2]).ShouldBe(0);
    }
}
