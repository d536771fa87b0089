using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Triage;

namespace SmartCrm.Tests.Triage;

public sealed class RetrainingTests
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    // The company's own categories, which the seed set does not know: only its own tickets can teach them.
    private static readonly (string Category, string[] Words)[] Company =
    [
        ("heating", ["boiler", "radiator", "underfloor heating"]),
        ("cooling", ["air conditioner", "cooling fan", "compressor"]),
        ("plumbing", ["water pipe", "kitchen tap", "drain"]),
    ];

    private static IEnumerable<LabelledText> CompanyTickets() =>
        from n in Enumerable.Range(1, 12)
        from c in Company
        from w in c.Words
        select new LabelledText($"The {w} in flat {n} needs a visit", c.Category);

    [Theory, MemberData(nameof(Providers))]
    public async Task A_retrained_model_that_is_worse_on_the_holdout_is_not_activated(Provider provider)
    {
        using var app = new CrmApp(provider);
        app.Settings["Triage:Enabled"] = "false";
        app.Settings["Models:PollSeconds"] = "0.2";
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var tickets = new List<(long Id, LabelledText Truth)>();
        foreach (var example in CompanyTickets())
        {
            var id = (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = example.Text })).Id();
            (await api.PutAsJsonAsync($"/api/v1/tickets/{id}/triage", new { category = example.Category })).EnsureSuccessStatusCode();
            tickets.Add((id, example));
        }
        tickets.Count(t => TriageHoldout.Contains(t.Truth.Text)).ShouldBeGreaterThan(10, "the holdout has tickets to judge by");

        var first = await api.TrainVersionAsync(TriageTraining.Name);
        first.GetProperty("active").GetBoolean().ShouldBeTrue(first.GetProperty("decision").GetString());
        first.GetProperty("score").GetDouble().ShouldBeGreaterThan(0.9);
        Metric(first, "active_accuracy").ShouldBe(0, "the seed model knows none of the company's categories");

        // Agents now label every training ticket wrongly; the holdout keeps its true labels.
        foreach (var (id, truth) in tickets.Where(t => !TriageHoldout.Contains(t.Truth.Text)))
        {
            var wrong = Company[(Array.FindIndex(Company, c => c.Category == truth.Category) + 1) % Company.Length].Category;
            (await api.PutAsJsonAsync($"/api/v1/tickets/{id}/triage", new { category = wrong })).EnsureSuccessStatusCode();
        }
        var second = await api.TrainVersionAsync(TriageTraining.Name);

        second.GetProperty("active").GetBoolean().ShouldBeFalse(second.GetProperty("decision").GetString());
        second.GetProperty("score").GetDouble().ShouldBeLessThan(Metric(second, "active_accuracy"));
        second.GetProperty("decision").GetString().ShouldStartWith("kept inactive");
        second.GetProperty("decision").GetString().ShouldEndWith("on the same holdout");
        var versions = await api.GetFromJsonAsync<JsonElement>($"/api/v1/models?kind={TriageTraining.Name}");
        versions.EnumerateArray().Where(v => v.GetProperty("active").GetBoolean()).Select(v => v.GetProperty("id").GetInt64())
            .ShouldBe([first.GetProperty("id").GetInt64()]);
        versions.EnumerateArray().First().TryGetProperty("payload", out _).ShouldBeFalse();
        var fresh = (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "The boiler in the office needs a visit" })).Id();
        var view = await (await api.PostAsync($"/api/v1/tickets/{fresh}/triage", null)).Content.ReadFromJsonAsync<JsonElement>();
        view.GetProperty("modelVersion").GetInt64().ShouldBe(first.GetProperty("id").GetInt64());
        view.GetProperty("category").GetString().ShouldBe("heating");

        // Put right again, the next model is at least as good, and is activated.
        foreach (var (id, truth) in tickets) (await api.PutAsJsonAsync($"/api/v1/tickets/{id}/triage", new { category = truth.Category })).EnsureSuccessStatusCode();
        var third = await api.TrainVersionAsync(TriageTraining.Name);
        third.GetProperty("active").GetBoolean().ShouldBeTrue(third.GetProperty("decision").GetString());
    }

    private static double Metric(JsonElement version, string name) =>
        JsonDocument.Parse(version.GetProperty("metrics").GetString()!).RootElement.GetProperty(name).GetDouble();

    [Fact]
    public async Task The_schedule_trains_a_first_model_and_then_waits_for_the_retraining_period()
    {
        using var app = new CrmApp();
        app.Settings["Triage:Enabled"] = "false";
        app.Settings["Triage:RetrainHours"] = "24";
        app.Settings["Models:Schedule"] = "true";
        app.Settings["Models:PollSeconds"] = "0.1";
        var api = app.Admin();

        var trained = await Eventually.HoldsAsync(async () => await api.GetFromJsonAsync<JsonElement>($"/api/v1/models?kind={TriageTraining.Name}"),
            v => v.GetArrayLength() > 0, "a first triage model", 60);
        trained.EnumerateArray().Single().GetProperty("active").GetBoolean().ShouldBeTrue();
        await Task.Delay(TimeSpan.FromSeconds(2)); // twenty polls of the schedule
        var runs = await api.GetFromJsonAsync<JsonElement>($"/api/v1/models/runs?kind={TriageTraining.Name}");
        runs.GetArrayLength().ShouldBe(1, "the last training is less than a day old");
    }
}
