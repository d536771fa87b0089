using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Models;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Insights;

public sealed class SegmentTests(DemoApps apps) : IClassFixture<DemoApps>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    [Fact]
    public async Task Buyers_are_segmented_by_k_means_with_k_chosen_by_silhouette_and_the_list_and_360_use_the_segment()
    {
        var app = apps.For(Provider.Sqlite);
        var client = app.ClientAs(Role.Analyst);
        var version = await Eventually.HoldsAsync(
            async () => (await client.GetFromJsonAsync<List<ModelVersion>>("/api/v1/models?kind=segments", Json))!.FirstOrDefault(v => v.Active),
            v => v is not null, "an active segmentation", 240);
        version!.Metric.ShouldBe("silhouette");
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(version.Metrics!)!;
        var k = (int)metrics["k"];
        k.ShouldBeInRange(2, 6);
        Enumerable.Range(2, 5).ShouldAllBe(c => metrics[$"silhouette_k{c}"] <= metrics["silhouette"], "k is the best silhouette of those tried");

        var segments = await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.Segments.OrderBy(s => s.Number).ToListAsync()), s => s.Count > 0, "segments stored");
        segments.Count.ShouldBe(k);
        segments.ShouldAllBe(s => s.Size > 0 && !string.IsNullOrEmpty(s.TypicalProducts) && s.Distinctive.Contains("feature"));
        var members = await app.WithDbAsync(db => db.Customers.Where(c => c.Segment != null).GroupBy(c => c.Segment!.Value).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        members.OrderBy(m => m.Key).Select(m => m.Count).ShouldBe(segments.Select(s => s.Size));
        segments.Max(s => s.AverageChurn).ShouldBeGreaterThan(segments.Min(s => s.AverageChurn) + 0.1, "segments differ in churn");

        var one = await app.WithDbAsync(db => db.Customers.Where(c => c.Segment == 1).OrderBy(c => c.Name).ThenBy(c => c.Id).FirstAsync());
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{one.Id}/360");
        view.GetProperty("segment").GetInt32().ShouldBe(1);

        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await ConsoleLogin.SignInAsync(browser, "admin", CrmApp.AdminPassword);
        var page = await browser.GetStringAsync("/segments");
        page.ShouldContain("data-k-choice");
        // What sets a segment apart is said in words, not the resource keys of its features ("feature.quietDays").
        page.ShouldNotContain("feature.");
        System.Text.RegularExpressions.Regex.Count(page, "data-segment=\"").ShouldBe(k);
        // The profiles and the choice of k as charts, each with its numbers and CSV.
        page.ShouldContain("data-segment-charts");
        foreach (var chart in new[] { "segments-size", "segments-spend", "segments-churn", "segments-k" }) page.ShouldContain($"data-chart=\"{chart}\"");
        System.Text.RegularExpressions.Regex.Count(page, "<svg").ShouldBeGreaterThanOrEqualTo(4);
        var sizes = await client.GetStringAsync("/api/v1/segments/size.csv");
        sizes.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ShouldBe(["segment,customers", .. segments.Select(s => $"{s.Number},{s.Size}")]);
        var silhouettes = await client.GetStringAsync("/api/v1/segments/k.csv");
        silhouettes.ShouldStartWith("k,silhouette,inertia\r\n2,");
        (await client.GetAsync("/api/v1/segments/weather.csv")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await app.CreateClient().GetAsync("/api/v1/segments/size.csv")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        (await app.ClientAs(SmartCrm.Security.Role.ReadOnly).GetAsync("/api/v1/segments/churn.csv")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var list = await browser.GetStringAsync("/customers?segment=1");
        list.ShouldContain(one.Name.Replace("'", "&#x27;", StringComparison.Ordinal));
        // Each customer's segment is a column of the list, a link to the list of that segment.
        System.Text.RegularExpressions.Regex.IsMatch(list, @"data-segment-of=""1"">\s*<a href=""/customers\?segment=1"">1</a>").ShouldBeTrue("a segment cell links to its list");
        list.ShouldNotContain("data-segment-of=\"2\"", Case.Sensitive, "the list is filtered to segment 1");
    }
}
