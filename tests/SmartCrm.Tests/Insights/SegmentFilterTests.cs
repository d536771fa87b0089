using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Insights;

/// <summary>The customer list's segment filter on the lists whose rows belong to a customer: tickets, devices and orders.</summary>
public sealed class SegmentFilterTests(Apps apps) : IClassFixture<Apps>
{
    private static async Task<(long In, long Out, int Segment)> CustomersAsync(CrmApp app)
    {
        var admin = app.Admin();
        var inside = await admin.CreateCustomerAsync(Builders.Unique("Inside "));
        var outside = await admin.CreateCustomerAsync(Builders.Unique("Outside "));
        var segment = Random.Shared.Next(1000, 100_000);
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == inside).ExecuteUpdateAsync(s => s.SetProperty(c => c.Segment, segment)));
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == outside).ExecuteUpdateAsync(s => s.SetProperty(c => c.Segment, segment + 1)));
        return (inside, outside, segment);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Tickets_devices_and_orders_lists_filter_by_the_customers_segment_and_keep_paging_and_sorting(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var (inside, outside, segment) = await CustomersAsync(app);
        var product = await admin.CreateProductAsync();
        foreach (var customer in new[] { inside, inside, outside })
        {
            await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Segment filter " + customer });
            await admin.CreateOrderAsync(customer, product, 1, DateTime.UtcNow);
            await admin.CreateDeviceAsync(customer);
        }
        foreach (var list in new[] { "tickets", "orders", "devices" })
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/{list}?segment={segment}&sort=-id&pageSize=1&page=2");
            page.GetProperty("total").GetInt32().ShouldBe(2, list);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            items.Count.ShouldBe(1, list);
            items[0].GetProperty("customerId").GetInt64().ShouldBe(inside, list);
            var first = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/{list}?segment={segment}&sort=-id&pageSize=1");
            first.GetProperty("items")[0].GetProperty("id").GetInt64().ShouldBeGreaterThan(items[0].GetProperty("id").GetInt64(), "sorted by id, newest first");
            // The segment works beside the record's own filters.
            (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/{list}?segment={segment}&customerId={outside}")).GetProperty("total").GetInt32().ShouldBe(0, list);

            var bad = await admin.GetAsync($"/api/v1/{list}?segment=first");
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest, list);
            (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("segment", out _).ShouldBeTrue(list);
        }
    }

    [Fact]
    public async Task The_ticket_and_device_pages_filter_by_segment()
    {
        var app = apps.For(Provider.Sqlite);
        var admin = app.Admin();
        var (inside, outside, segment) = await CustomersAsync(app);
        var inTicket = Builders.Unique("Inside ticket ");
        var outTicket = Builders.Unique("Outside ticket ");
        await admin.CreateAsync("/api/v1/tickets", new { customerId = inside, kind = "Question", subject = inTicket });
        await admin.CreateAsync("/api/v1/tickets", new { customerId = outside, kind = "Question", subject = outTicket });
        var inDevice = Builders.Unique("Inside device ");
        var outDevice = Builders.Unique("Outside device ");
        await admin.CreateDeviceAsync(inside, name: inDevice);
        await admin.CreateDeviceAsync(outside, name: outDevice);

        using var session = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        var tickets = await session.Client.GetStringAsync($"/tickets?segment={segment}&sort=-id");
        tickets.ShouldContain(inTicket);
        tickets.ShouldNotContain(outTicket);
        tickets.ShouldContain($"name=\"segment\" type=\"number\" min=\"1\" value=\"{segment}\"");
        var devices = await session.Client.GetStringAsync($"/devices?segment={segment}");
        devices.ShouldContain(inDevice);
        devices.ShouldNotContain(outDevice);
    }
}
