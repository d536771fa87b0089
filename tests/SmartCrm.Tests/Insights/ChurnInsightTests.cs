using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Models;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Insights;

/// <summary>The demo company, with the churn model trained by the training job as it is in production.</summary>
public sealed class DemoApps : Apps
{
    protected override void Configure(CrmApp app)
    {
        app.Settings["Demo:Enabled"] = "true";
        app.Settings["Models:PollSeconds"] = "0.2";
        app.Settings["Models:Schedule"] = "true";
    }
}

public sealed class ChurnInsightTests(DemoApps apps) : IClassFixture<DemoApps>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The schedule queues a first churn training at start; this waits for the active version it registers.</summary>
    private static async Task<ModelVersion> ActiveChurnAsync(CrmApp app) =>
        await Eventually.HoldsAsync(
            async () => (await app.ClientAs(Role.Analyst).GetFromJsonAsync<List<ModelVersion>>("/api/v1/models?kind=churn", Json))!.FirstOrDefault(v => v.Active),
            v => v is not null, "an active churn model", 180) ?? throw new InvalidOperationException();

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task The_churn_model_trains_on_the_demo_with_a_holdout_and_device_signals_add_to_its_auc(Provider provider)
    {
        var app = apps.For(provider);
        var version = await ActiveChurnAsync(app);
        version.Metric.ShouldBe("auc");
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(version.Metrics!)!;
        metrics["auc"].ShouldBeGreaterThan(0.7, "the demo's drifting customers leave traces the model finds");
        metrics["aucWithoutDevices"].ShouldBeLessThan(metrics["auc"] - 0.03, "silent devices, usage trend and alarms add to what orders and contacts tell");
        metrics["holdoutRows"].ShouldBeGreaterThan(100);
        (version.TrainedTo - version.TrainedFrom).TotalDays.ShouldBeGreaterThan(300);

        var (scored, buyers, ordered) = await Eventually.HoldsAsync(() => app.WithDbAsync(async db => (
                await db.ChurnScores.CountAsync(),
                await db.Orders.Select(o => o.CustomerId).Distinct().CountAsync(),
                await db.Customers.Where(c => c.ChurnScore != null).CountAsync())),
            t => t.Item1 > 0, "scores stored");
        scored.ShouldBeInRange(buyers * 8 / 10, buyers, "every customer with a purchase is scored");
        ordered.ShouldBe(scored, "the customer list's copy of the score");
    }

    [Fact]
    public async Task The_360_carries_the_stored_churn_score_with_reasons_in_the_readers_language_and_ranked_next_best_actions()
    {
        var app = apps.For(Provider.Sqlite);
        await ActiveChurnAsync(app);
        var riskiest = await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.ChurnScores.OrderByDescending(s => s.Score).FirstOrDefaultAsync()),
            s => s is not null, "scores stored");
        riskiest!.Score.ShouldBeGreaterThan(0.5);

        var client = app.ClientAs(Role.ReadOnly);
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{riskiest.CustomerId}/360");
        var churn = view.GetProperty("churn");
        churn.GetProperty("score").GetDouble().ShouldBe(riskiest.Score);
        churn.GetProperty("band").GetString().ShouldBe("high");
        var reasons = churn.GetProperty("reasons").EnumerateArray().ToList();
        reasons.Count.ShouldBe(3);
        reasons.ShouldContain(r => r.GetProperty("raises").GetBoolean());
        reasons.ShouldAllBe(r => r.GetProperty("text").GetString()!.Length > 0);
        var actions = view.GetProperty("nextBestActions").EnumerateArray().ToList();
        actions.ShouldContain(a => a.GetProperty("kind").GetString() == "retention");
        actions.Select(a => a.GetProperty("weight").GetInt32()).ShouldBeInOrder(SortDirection.Descending);
        actions.ShouldAllBe(a => a.GetProperty("why").GetString()!.Length > 0);

        using var chinese = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/customers/{riskiest.CustomerId}/360");
        chinese.Headers.AcceptLanguage.ParseAdd("zh-Hans");
        var zh = await (await client.SendAsync(chinese)).Content.ReadFromJsonAsync<JsonElement>();
        var zhReasons = zh.GetProperty("churn").GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("text").GetString()!).ToList();
        zhReasons.ShouldAllBe(t => t.Any(ch => ch >= '\u4e00' && ch <= '\u9fff'), "reasons in Chinese for a Chinese reader");
        zh.GetProperty("nextBestActions").EnumerateArray().ShouldContain(a => a.GetProperty("title").GetString() == "致电挽留该客户");

        (await client.GetAsync($"/api/v1/customers/{riskiest.CustomerId}/churn")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/v1/customers/987654321/churn")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Drifting_customers_with_silent_devices_score_higher_than_customers_whose_devices_are_in_use()
    {
        var app = apps.For(Provider.Sqlite);
        await ActiveChurnAsync(app);
        var (silent, active) = await app.WithDbAsync(async db =>
        {
            var now = DateTime.UtcNow;
            var scores = await db.ChurnScores.ToDictionaryAsync(s => s.CustomerId, s => s.Score);
            var devices = await db.Devices.Where(d => d.CustomerId != null).Select(d => new { Customer = d.CustomerId!.Value, d.LastSeenAt }).ToListAsync();
            var byCustomer = devices.GroupBy(d => d.Customer).Where(g => scores.ContainsKey(g.Key))
                .ToDictionary(g => g.Key, g => g.Max(d => d.LastSeenAt) is { } seen && (now - seen).TotalDays > 30);
            return (byCustomer.Where(p => p.Value).Average(p => scores[p.Key]), byCustomer.Where(p => !p.Value).Average(p => scores[p.Key]));
        });
        silent.ShouldBeGreaterThan(active + 0.15, "customers whose devices all fell silent are the likelier to leave");
    }

    [Fact]
    public async Task Eval_insights_prints_the_holdout_auc_with_and_without_device_signals_from_the_database_folder()
    {
        var app = apps.For(Provider.Sqlite);
        await ActiveChurnAsync(app);
        var output = new StringWriter();
        await new SmartCrm.Evaluation.InsightsEvaluation().RunAsync(new SmartCrm.Evaluation.EvaluationContext(app.DataDirectory, output), CancellationToken.None);
        var line = output.ToString().Trim();
        line.ShouldStartWith("eval insights ");
        var figures = line.Split(' ').Where(p => p.Contains('=')).ToDictionary(p => p[..p.IndexOf('=')], p => p[(p.IndexOf('=') + 1)..]);
        double.Parse(figures["auc"], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(
            double.Parse(figures["aucWithoutDevices"], System.Globalization.CultureInfo.InvariantCulture));
        await Should.ThrowAsync<InvalidOperationException>(() => new SmartCrm.Evaluation.InsightsEvaluation()
            .RunAsync(new SmartCrm.Evaluation.EvaluationContext(Path.GetTempPath(), output), CancellationToken.None));
    }

    [Fact]
    public async Task The_customer_list_sorts_by_churn_risk()
    {
        var app = apps.For(Provider.Sqlite);
        await ActiveChurnAsync(app);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.Customers.CountAsync(c => c.ChurnScore != null)), n => n > 0, "scores copied");
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await ConsoleLogin.SignInAsync(browser, "admin", CrmApp.AdminPassword);
        var html = await browser.GetStringAsync("/customers?sort=-churn");
        var shown = System.Text.RegularExpressions.Regex.Matches(html, "data-churn=\"([0-9.]*)\"").Select(m => m.Groups[1].Value).ToList();
        shown.Count.ShouldBeGreaterThan(10);
        var values = shown.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        values.ShouldBeInOrder(SortDirection.Descending);
        var top = await app.WithDbAsync(db => db.Customers.MaxAsync(c => c.ChurnScore));
        values[0].ShouldBe(top!.Value);
    }
}
