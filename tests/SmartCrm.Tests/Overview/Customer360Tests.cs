using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Overview;

public sealed class Customer360Tests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Shows_profile_value_timeline_open_tickets_and_deals_in_one_answer(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var id = await api.CreateCustomerAsync("Whole Picture");
        var other = await api.CreateCustomerAsync("Someone Else");
        await api.CreateAsync("/api/v1/contacts", new { customerId = id, name = "Pat Contact", title = "Buyer" });
        var heater = await api.CreateProductAsync(price: 500m);
        var filter = await api.CreateProductAsync(price: 25m, kind: "Accessory");
        var now = DateTime.UtcNow;
        await api.CreateOrderAsync(id, heater, 1, now.AddDays(-40));
        await api.CreateOrderAsync(id, filter, 4, now.AddDays(-3));
        await api.CreateOrderAsync(id, heater, 2, now.AddDays(-1), status: "Cancelled");
        await api.CreateOrderAsync(other, heater, 9, now.AddDays(-2));
        await api.CreateAsync("/api/v1/interactions", new { customerId = id, channel = "Phone", subject = "Asked about filters", occurredAt = now.AddDays(-5) });
        await api.CreateAsync("/api/v1/interactions", new { customerId = id, channel = "Store", subject = "Visited the store", occurredAt = now.AddDays(-2) });
        await api.CreateAsync("/api/v1/tickets", new { customerId = id, kind = "Fault", subject = "Heater shows E4" });
        await api.CreateAsync("/api/v1/tickets", new { customerId = id, kind = "Question", subject = "Old question", status = "Resolved" });
        await api.CreateAsync("/api/v1/opportunities", new { customerId = id, title = "Second heater", amount = 650m, stage = "Proposal" });
        await api.CreateAsync("/api/v1/notes", new { customerId = id, body = "Prefers email" });

        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}/360");

        view.GetProperty("profile").GetProperty("name").GetString().ShouldBe("Whole Picture");
        view.GetProperty("profile").GetProperty("contacts")[0].GetProperty("name").GetString().ShouldBe("Pat Contact");
        var value = view.GetProperty("value");
        value.GetProperty("totalSpent").GetDecimal().ShouldBe(600m, "cancelled orders are not spend");
        value.GetProperty("orderCount").GetInt32().ShouldBe(2);
        value.GetProperty("lastOrder").GetDateTime().ShouldBe(now.AddDays(-3), TimeSpan.FromSeconds(1));
        value.GetProperty("recencyDays").GetInt32().ShouldBe(3);
        value.GetProperty("rfm").GetString()!.Length.ShouldBe(3);
        foreach (var score in new[] { "recency", "frequency", "monetary" }) value.GetProperty(score).GetInt32().ShouldBeInRange(1, 5);
        view.GetProperty("recentInteractions").EnumerateArray().Select(i => i.GetProperty("subject").GetString())
            .ShouldBe(["Visited the store", "Asked about filters"], "newest first");
        view.GetProperty("orders").GetArrayLength().ShouldBe(3);
        view.GetProperty("orders")[0].GetProperty("lines").GetArrayLength().ShouldBe(1);
        view.GetProperty("openTickets").EnumerateArray().Select(t => t.GetProperty("subject").GetString()).ShouldBe(["Heater shows E4"]);
        view.GetProperty("opportunities")[0].GetProperty("amount").GetDecimal().ShouldBe(650m);
        view.GetProperty("notes")[0].GetProperty("body").GetString().ShouldBe("Prefers email");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_customer_without_orders_has_zero_value_and_no_scores(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var id = await api.CreateCustomerAsync();
        var value = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}/360")).GetProperty("value");
        value.GetProperty("totalSpent").GetDecimal().ShouldBe(0m);
        value.GetProperty("orderCount").GetInt32().ShouldBe(0);
        value.GetProperty("rfm").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
