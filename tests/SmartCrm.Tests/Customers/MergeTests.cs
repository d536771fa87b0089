using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Tests.Import;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Customers;

public sealed class MergeTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Merge_keeps_every_order_interaction_device_and_ticket_of_both_and_undo_gives_them_back(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var survivor = await api.CreateCustomerAsync(Builders.Unique("Maria Garcia "), phone: null);
        var other = await api.CreateCustomerAsync(Builders.Unique("María García "), phone: "+34 600 000 001");
        var product = await api.CreateProductAsync();
        await api.CreateOrderAsync(survivor, product, 1, DateTime.UtcNow.AddDays(-3));
        var order = await api.CreateOrderAsync(other, product, 2, DateTime.UtcNow.AddDays(-1));
        await api.CreateAsync("/api/v1/interactions", new { customerId = other, channel = "Phone", subject = "Called" });
        var ticket = (await api.CreateAsync("/api/v1/tickets", new { customerId = other, kind = "Fault", subject = "Broken" })).Id();
        var (device, _) = await api.CreateDeviceAsync(other);

        var response = await api.PostAsJsonAsync($"/api/v1/customers/{survivor}/merge", new { otherId = other, rule = "mostComplete" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var merge = await response.ReadAsync<JsonElement>();

        (await api.GetAsync($"/api/v1/customers/{other}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{survivor}/360");
        view.GetProperty("value").GetProperty("orderCount").GetInt32().ShouldBe(2);
        view.GetProperty("recentInteractions").GetArrayLength().ShouldBe(1);
        view.GetProperty("openTickets")[0].GetProperty("id").GetInt64().ShouldBe(ticket);
        view.GetProperty("devices")[0].GetProperty("id").GetInt64().ShouldBe(device);
        view.GetProperty("profile").GetProperty("phone").GetString().ShouldBe("+34 600 000 001", "the gap is filled from the other record");
        view.GetProperty("mergeHistory")[0].GetProperty("mergedId").GetInt64().ShouldBe(other);
        (await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Entity == "CustomerMerge" && a.Action == "Added"))).ShouldBeTrue();

        var undo = await api.PostAsync($"/api/v1/customers/merges/{merge.Id()}/undo", null);
        undo.StatusCode.ShouldBe(HttpStatusCode.OK, await undo.Content.ReadAsStringAsync());
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{other}")).GetProperty("phone").GetString().ShouldBe("+34 600 000 001");
        (await app.WithDbAsync(db => db.Orders.SingleAsync(o => o.Id == order))).CustomerId.ShouldBe(other);
        (await app.WithDbAsync(db => db.Devices.SingleAsync(d => d.Id == device))).CustomerId.ShouldBe(other);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{survivor}")).GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
        (await api.PostAsync($"/api/v1/customers/merges/{merge.Id()}/undo", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Survivorship_decides_whose_values_win(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var older = await api.CreateCustomerAsync(Builders.Unique("Old Name "), phone: "+1 212 555 0100");
        var newer = await api.CreateCustomerAsync(Builders.Unique("New Name "));
        (await api.PostAsJsonAsync($"/api/v1/customers/{older}/merge", new { otherId = newer, rule = "newest" })).EnsureSuccessStatusCode();
        var merged = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{older}");
        merged.GetProperty("name").GetString()!.ShouldStartWith("New Name", Case.Sensitive, "the newer record wins");
        merged.GetProperty("phone").GetString().ShouldBe("+1 212 555 0100", "and the older fills its gaps");

        var bad = await api.PostAsJsonAsync($"/api/v1/customers/{older}/merge", new { otherId = older });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.PostAsJsonAsync($"/api/v1/customers/{older}/merge", new { otherId = 987654321 })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await api.PostAsJsonAsync($"/api/v1/customers/{older}/merge", new { otherId = newer, rule = "loudest" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await apps.For(provider).ClientAs(SmartCrm.Security.Role.ReadOnly).PostAsJsonAsync($"/api/v1/customers/{older}/merge", new { otherId = newer }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_scan_of_the_whole_database_queues_duplicates_that_never_went_through_an_import(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var family = Builders.Unique("Oyelaran");
        var a = await api.CreateCustomerAsync($"Adebayo {family}", phone: "+44 7700 900123");
        var b = await api.CreateCustomerAsync($"{family} Adebayo", phone: "07700 900123");
        await api.CreateCustomerAsync(Builders.Unique("Someone Else "));

        var scan = await (await api.PostAsync("/api/v1/customers/duplicates/scan", null)).ReadAsync<JsonElement>();
        scan.GetProperty("candidates").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        var queue = await api.GetFromJsonAsync<JsonElement>("/api/v1/customers/duplicates?pageSize=500");
        var pair = queue.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("customerId").GetInt64() == a);
        pair.GetProperty("otherId").GetInt64().ShouldBe(b);
        pair.GetProperty("reasons").GetString()!.ShouldContain("same phone");
        var again = await (await api.PostAsync("/api/v1/customers/duplicates/scan", null)).ReadAsync<JsonElement>();
        again.GetProperty("candidates").GetInt32().ShouldBe(0, "a pair is queued once");

        (await api.PostAsync($"/api/v1/customers/duplicates/{pair.Id()}/dismiss", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var open = await api.GetFromJsonAsync<JsonElement>("/api/v1/customers/duplicates");
        open.GetProperty("items").EnumerateArray().ShouldNotContain(c => c.GetProperty("id").GetInt64() == pair.Id());
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task An_import_merge_can_be_undone_into_a_customer_of_its_own(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var domain = Builders.Unique("d") + ".example";
        var name = "Pat " + Builders.Unique("Lee");
        var existing = await api.CreateCustomerAsync(name, $"pat@{domain}");
        var report = await ImporterTests.ImportAsync(app, SmartCrm.Import.ImportKind.Customers, $"id,name,email,city\nP1,{name},pat@{domain},Leeds\n");
        report.Run.Merged.ShouldBe(1);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{existing}")).GetProperty("city").GetString().ShouldBe("Leeds");
        var quality = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{existing}/360")).GetProperty("quality");
        quality.GetProperty("fieldSources").GetProperty("City").EnumerateArray().Select(s => s.GetString()).ShouldBe([report.Run.Source]);
        quality.GetProperty("fieldSources").GetProperty("Phone").GetArrayLength().ShouldBe(0);
        quality.GetProperty("completeness").GetDouble().ShouldBe(Math.Round(3.0 / 7, 2), "name, email and city of seven profile fields");
        quality.GetProperty("missing").EnumerateArray().Select(m => m.GetString()).ShouldBe(["Phone", "Company", "Country", "Address"]);
        quality.GetProperty("lastVerifiedAt").ValueKind.ShouldBe(JsonValueKind.String);
        var merges = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{existing}/merges");
        var undo = await api.PostAsync($"/api/v1/customers/merges/{merges[0].Id()}/undo", null);
        undo.StatusCode.ShouldBe(HttpStatusCode.OK, await undo.Content.ReadAsStringAsync());

        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{existing}")).GetProperty("city").ValueKind.ShouldBe(JsonValueKind.Null);
        var split = await app.WithDbAsync(db => db.CustomerSources.SingleAsync(s => s.ExternalId == "P1" && s.System == report.Run.Source));
        split.CustomerId.ShouldNotBe(existing);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{split.CustomerId}")).GetProperty("city").GetString().ShouldBe("Leeds");
    }
}
