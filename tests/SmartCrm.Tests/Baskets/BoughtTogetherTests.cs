using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Baskets;
using SmartCrm.Models;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Web;

namespace SmartCrm.Tests.Baskets;

/// <summary>Apps whose training job looks for requested runs ten times a second and trains nothing on its own.</summary>
public sealed class BasketApps : Apps
{
    protected override void Configure(CrmApp app)
    {
        app.Settings["Models:PollSeconds"] = "0.1";
        app.Settings["Models:Schedule"] = "false";
    }
}

public sealed class BoughtTogetherTests(BasketApps apps) : IClassFixture<BasketApps>
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Asks for a training of the baskets model and waits for it to finish.</summary>
    internal static Task<TrainingRun> TrainAsync(HttpClient client) => client.TrainAsync(BasketTraining.Name);

    private static async Task OrderAsync(HttpClient client, long customer, DateTime at, params long[] products) =>
        await client.CreateAsync("/api/v1/orders", new { customerId = customer, orderedAt = at, status = "Paid", lines = products.Select(p => new { productId = p, quantity = 1 }) });

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Rules_mined_from_the_orders_say_what_goes_together_and_what_a_customer_buys_next(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        long[] p = [await admin.CreateProductAsync(), await admin.CreateProductAsync(), await admin.CreateProductAsync(), await admin.CreateProductAsync()];
        var (a, b, c, d) = (p[0], p[1], p[2], p[3]);
        var buyer = await admin.CreateCustomerAsync();
        var onlyA = await admin.CreateCustomerAsync();
        var ownsAandB = await admin.CreateCustomerAsync();
        var baskets = new List<long[]>();
        for (var i = 0; i < 30; i++) baskets.Add([a, b]);
        for (var i = 0; i < 10; i++) baskets.Add([a]);
        for (var i = 0; i < 20; i++) baskets.Add([c]);
        for (var i = 0; i < 10; i++) baskets.Add([b, d]);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // Interleaved in time, so the newest fifth held out looks like the rest.
        var order = 0;
        var shuffle = new Random(7);
        foreach (var basket in baskets.OrderBy(_ => shuffle.Next()).ToList())
        {
            await OrderAsync(admin, buyer, start.AddHours(order++), basket);
        }
        await OrderAsync(admin, onlyA, start.AddDays(10), a);
        await OrderAsync(admin, ownsAandB, start.AddDays(10), a, b);
        await OrderAsync(admin, buyer, start.AddDays(11), c);
        await admin.CreateAsync("/api/v1/orders", new { customerId = buyer, orderedAt = start.AddDays(12), status = "Cancelled", lines = new[] { new { productId = c, quantity = 1 }, new { productId = d, quantity = 1 } } });
        baskets.AddRange([[a], [a, b], [c]]); // the cancelled order was never bought

        var run = await TrainAsync(app.ClientAs(Role.Analyst));
        run.State.ShouldBe(TrainingState.Succeeded, run.Message);

        // Expected figures counted here from the baskets themselves.
        int Holding(params long[] items) => baskets.Count(x => items.All(x.Contains));
        var rules = (await admin.GetFromJsonAsync<Paged<RuleView>>($"/api/v1/basket-rules?product={a}&pageSize=200", Json))!;
        var aToB = rules.Items.Single(r => r.If.Select(x => x.Id).SequenceEqual([a]) && r.Then.Select(x => x.Id).SequenceEqual([b]));
        aToB.Count.ShouldBe(Holding(a, b));
        aToB.Confidence.ShouldBe((double)Holding(a, b) / Holding(a), 1e-9);
        aToB.Support.ShouldBe((double)Holding(a, b) / baskets.Count, 1e-9);
        aToB.Lift.ShouldBe((double)Holding(a, b) * baskets.Count / (Holding(a) * Holding(b)), 1e-9);
        rules.Items.ShouldAllBe(r => r.If.Concat(r.Then).Any(x => x.Id == a), "filtered to rules holding the product");
        rules.Items.ShouldNotContain(r => r.If.Concat(r.Then).Any(x => x.Id == c), "c is never bought with a");
        var cd = (await admin.GetFromJsonAsync<Paged<RuleView>>($"/api/v1/basket-rules?product={c}", Json))!;
        cd.Total.ShouldBe(0, "c and d were together only in a cancelled order");

        var strong = (await admin.GetFromJsonAsync<Paged<RuleView>>($"/api/v1/basket-rules?product={b}&minConfidence=0.5&sort=-confidence", Json))!;
        strong.Items.ShouldNotBeEmpty();
        strong.Items.ShouldAllBe(r => r.Confidence >= 0.5);
        strong.Items.Select(r => r.Confidence).ShouldBeInOrder(SortDirection.Descending);

        var withA = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/products/{a}/bought-together", Json))!;
        withA.Select(r => r.Then.Single().Id).ShouldBe([b]);

        var forOnlyA = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/customers/{onlyA}/bought-together", Json))!;
        forOnlyA.Select(r => r.Then.Single().Id).First().ShouldBe(b, "most buyers of a also buy b");
        var forOwner = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/customers/{ownsAandB}/bought-together", Json))!;
        forOwner.SelectMany(r => r.Then).Select(x => x.Id).ShouldNotContain(b, "nothing they already bought");
        forOwner.SelectMany(r => r.Then).Select(x => x.Id).ShouldContain(d);
        // Chosen for each customer when the rules activated, and read from there: a view matches no rules.
        var stored = await app.WithDbAsync(db => db.CustomerSuggestions.Where(s => s.CustomerId == onlyA).OrderBy(s => s.Rank).Select(s => s.RuleId).ToListAsync());
        stored.ShouldBe(forOnlyA.Select(r => r.Id).ToList());
        await app.WithDbAsync(db => db.CustomerSuggestions.Where(s => s.CustomerId == ownsAandB).ExecuteDeleteAsync());
        (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/customers/{ownsAandB}/bought-together", Json))!.ShouldBeEmpty();

        var version = (await admin.GetFromJsonAsync<List<ModelVersion>>($"/api/v1/models?kind={BasketTraining.Name}", Json))!.First();
        version.Metrics!.ShouldContain("holdout_confidence");
        version.TrainedFrom.ShouldBe(start, TimeSpan.FromSeconds(1));

        // The console: the rules page and the customer's 360.
        using var console = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        var page = await console.Client.GetStringAsync($"/baskets?product={a}&confidence=0.5");
        page.ShouldContain($"data-rule=\"{aToB.Id}\"");
        page.ShouldContain(WebUtility.HtmlEncode(aToB.Then[0].Name));
        var card = await console.Client.GetStringAsync($"/customers/{onlyA}");
        card.ShouldContain("data-bought-together");
        card.ShouldContain($"data-suggestion=\"{b}\"");
    }

    [Fact]
    public async Task A_customer_is_not_offered_a_device_like_one_they_own()
    {
        // An app of its own: a training over another test's orders might not be activated (not better on the holdout).
        using var app = new CrmApp();
        app.Settings["Models:PollSeconds"] = "0.1";
        var admin = app.Admin();
        var category = Builders.Unique("Heaters ");
        async Task<long> ProductAsync(string kind) =>
            (await admin.CreateAsync("/api/v1/products", new { sku = Builders.Unique("SKU-"), name = Builders.Unique("Product "), kind, price = 10m, category })).Id();
        var (small, large, sensor) = (await ProductAsync("Device"), await ProductAsync("Device"), await ProductAsync("Accessory"));
        var buyer = await admin.CreateCustomerAsync();
        var at = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 15; i++)
        {
            await OrderAsync(admin, buyer, at.AddHours(2 * i), small, sensor);
            await OrderAsync(admin, buyer, at.AddHours(2 * i + 1), large, sensor);
        }
        // Orders without the sensor, so that holding it says something (lift above 1).
        var other = await ProductAsync("Accessory");
        for (var i = 0; i < 10; i++) await OrderAsync(admin, buyer, at.AddDays(1).AddHours(i), other);
        // Two of the other accessory's twelve orders hold the sensor too: confident enough for a rule, but buyers of it take the
        // sensor far less often than anyone (lift about 0.2), so it is not shown as bought with it.
        for (var i = 0; i < 2; i++) await OrderAsync(admin, buyer, at.AddDays(2).AddHours(i), other, sensor);
        var owner = await admin.CreateCustomerAsync();
        await OrderAsync(admin, owner, at.AddDays(5), large, sensor);
        var sensorOnly = await admin.CreateCustomerAsync();
        await OrderAsync(admin, sensorOnly, at.AddDays(5), sensor);
        (await TrainAsync(app.ClientAs(Role.Analyst))).State.ShouldBe(TrainingState.Succeeded);

        var withSensor = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/products/{sensor}/bought-together", Json))!;
        withSensor.Select(r => r.Then.Single().Id).ShouldContain(small, "half the sensors' orders hold the small heater");
        var withOther = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/products/{other}/bought-together", Json))!;
        withOther.ShouldBeEmpty("the rule other → sensor holds, but below lift 1");
        var rules = (await admin.GetFromJsonAsync<Paged<RuleView>>($"/api/v1/basket-rules?product={other}&pageSize=200", Json))!;
        rules.Items.ShouldContain(r => r.If.Single().Id == other && r.Then.Single().Id == sensor && r.Lift < 1, "the browsable list keeps every rule");
        var forOwner = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/customers/{owner}/bought-together", Json))!;
        forOwner.SelectMany(r => r.Then).Select(p => p.Id).ShouldNotContain(small, "the other heater is a substitute for the one they own");
        var forSensor = (await admin.GetFromJsonAsync<List<RuleView>>($"/api/v1/customers/{sensorOnly}/bought-together", Json))!;
        forSensor.ShouldAllBe(r => r.Lift > 1, "a suggestion is more likely for owners than for anyone");
        forSensor.SelectMany(r => r.Then).Select(p => p.Id).ShouldContain(small, "without a heater, either one goes with the sensor");
    }

    [Fact]
    public async Task Thresholds_out_of_range_and_unknown_records_are_refused_naming_the_field()
    {
        var app = apps.For(Provider.Sqlite);
        var client = app.ClientAs(Role.ReadOnly);
        foreach (var (query, field) in new[] { ("minSupport=2", "minSupport"), ("minConfidence=-0.1", "minConfidence"), ("minLift=NaN", "minLift"), ("pageSize=5000", "pageSize"), ("page=0", "page") })
        {
            var response = await client.GetAsync($"/api/v1/basket-rules?{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            (await response.Content.ReadAsStringAsync()).ShouldContain(field);
        }
        (await client.GetAsync("/api/v1/products/987654321/bought-together")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/api/v1/customers/987654321/bought-together")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.CreateClient().GetAsync("/api/v1/basket-rules")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
