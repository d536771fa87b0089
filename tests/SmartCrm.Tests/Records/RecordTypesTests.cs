using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Records;

/// <summary>Every record type answers the same API: create 201, get, list, update, delete, 404, field errors.</summary>
public sealed class RecordTypesTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Every_record_type_supports_create_get_list_update_and_delete(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var customer = await api.CreateCustomerAsync();
        var product = await api.CreateProductAsync();
        var cases = new (string Path, object Create, object Update, string Field, object Expected)[]
        {
            ("/api/v1/contacts", new { customerId = customer, name = "A Contact" }, new { customerId = customer, name = "B Contact" }, "name", "B Contact"),
            ("/api/v1/consents", new { customerId = customer, purpose = "MarketingEmail", granted = true }, new { customerId = customer, purpose = "MarketingEmail", granted = false }, "granted", false),
            ("/api/v1/notes", new { customerId = customer, body = "first" }, new { customerId = customer, body = "second" }, "body", "second"),
            ("/api/v1/products", new { sku = Builders.Unique("S-"), name = "P1", price = 10m }, new { sku = Builders.Unique("S-"), name = "P2", price = 12m }, "name", "P2"),
            ("/api/v1/orders", new { customerId = customer, lines = new[] { new { productId = product, quantity = 1 } } },
                new { customerId = customer, status = "Shipped", lines = new[] { new { productId = product, quantity = 2 } } }, "status", "Shipped"),
            ("/api/v1/interactions", new { customerId = customer, channel = "Email", subject = "Hello" }, new { customerId = customer, channel = "Chat", subject = "Hi" }, "channel", "Chat"),
            ("/api/v1/opportunities", new { customerId = customer, title = "Deal" }, new { customerId = customer, title = "Deal", stage = "Won" }, "stage", "Won"),
            ("/api/v1/tickets", new { customerId = customer, kind = "Refund", subject = "Money back" }, new { customerId = customer, kind = "Refund", subject = "Money back", status = "Closed" }, "status", "Closed"),
        };
        foreach (var (path, create, update, field, expected) in cases)
        {
            var created = await api.CreateAsync(path, create);
            var id = created.Id();
            (await api.GetAsync($"{path}/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var list = await api.GetFromJsonAsync<JsonElement>($"{path}?id={id}");
            list.GetProperty("total").GetInt32().ShouldBe(1, path);

            var updated = await api.PutAsJsonAsync($"{path}/{id}", update);
            updated.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var after = (await updated.ReadAsync<JsonElement>()).GetProperty(field);
            (after.ValueKind == JsonValueKind.String ? after.GetString() : (object)after.GetBoolean()).ShouldBe(expected, path);

            (await api.DeleteAsync($"{path}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent, path);
            (await api.GetAsync($"{path}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Order_lines_take_catalogue_prices_and_the_total_follows(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var customer = await api.CreateCustomerAsync();
        var heater = await api.CreateProductAsync(price: 499m);
        var filter = await api.CreateProductAsync(price: 29m, kind: "Accessory");
        var order = await api.CreateAsync("/api/v1/orders", new
        {
            customerId = customer,
            lines = new object[] { new { productId = heater, quantity = 1 }, new { productId = filter, quantity = 3, unitPrice = 20m } },
        });
        order.GetProperty("total").GetDecimal().ShouldBe(559m);
        order.GetProperty("lines")[0].GetProperty("unitPrice").GetDecimal().ShouldBe(499m);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task References_to_missing_records_name_the_field_and_write_nothing(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var product = await api.CreateProductAsync();
        var ordersBefore = await app.WithDbAsync(db => Task.FromResult(db.Orders.Count()));

        var badLine = await api.PostAsJsonAsync("/api/v1/orders", new
        {
            customerId = customer,
            lines = new object[] { new { productId = product, quantity = 1 }, new { productId = 99999999, quantity = 1 } },
        });
        badLine.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsOf(badLine)).ShouldContainKey("lines[1].productId");

        var zeroQuantity = await api.PostAsJsonAsync("/api/v1/orders", new { customerId = customer, lines = new[] { new { productId = product, quantity = 0 } } });
        (await ErrorsOf(zeroQuantity)).ShouldContainKey("lines[0].quantity");

        var noCustomer = await api.PostAsJsonAsync("/api/v1/tickets", new { customerId = 99999999, kind = "Fault", subject = "x" });
        (await ErrorsOf(noCustomer)).ShouldContainKey("customerId");

        var noLines = await api.PostAsJsonAsync("/api/v1/orders", new { customerId = customer, lines = Array.Empty<object>() });
        (await ErrorsOf(noLines)).ShouldContainKey("lines");

        (await app.WithDbAsync(db => Task.FromResult(db.Orders.Count()))).ShouldBe(ordersBefore);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Every_record_of_a_customer_refuses_an_unknown_customer_on_create_and_update(Provider provider)
    {
        // Each folder's rules check the customer (Customers/CustomerReference.cs); none may forget it.
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var product = await api.CreateProductAsync();
        const long Missing = 99999999;
        var cases = new (string Path, Func<long, object> Body)[]
        {
            ("/api/v1/contacts", c => new { customerId = c, name = "A Contact" }),
            ("/api/v1/consents", c => new { customerId = c, purpose = "MarketingEmail", granted = true }),
            ("/api/v1/notes", c => new { customerId = c, body = "a note" }),
            ("/api/v1/orders", c => new { customerId = c, lines = new[] { new { productId = product, quantity = 1 } } }),
            ("/api/v1/interactions", c => new { customerId = c, channel = "Email", subject = "Hello" }),
            ("/api/v1/opportunities", c => new { customerId = c, title = "Deal" }),
            ("/api/v1/tickets", c => new { customerId = c, kind = "Question", subject = "When?" }),
            ("/api/v1/devices", c => new { customerId = c, name = Builders.Unique("dev-") }),
            ("/api/v1/cards", c => new { customerId = c, uid = Builders.Unique("C") }),
            ("/api/v1/provisioning-profiles", c => new { customerId = c, name = Builders.Unique("profile-") }),
        };
        foreach (var (path, body) in cases)
        {
            (await ErrorsOf(await api.PostAsJsonAsync(path, body(Missing)))).ShouldContainKey("customerId", path);
            var id = (await api.CreateAsync(path, body(customer))).Id();
            (await ErrorsOf(await api.PutAsJsonAsync($"{path}/{id}", body(Missing)))).ShouldContainKey("customerId", path);
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_second_product_with_the_same_sku_answers_409(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var sku = Builders.Unique("dup-");
        var first = await api.CreateAsync("/api/v1/products", new { sku, name = "One" });
        var second = await api.PostAsJsonAsync("/api/v1/products", new { sku = sku.ToUpperInvariant(), name = "Two" });
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await second.ReadAsync<JsonElement>()).GetProperty("existingId").GetInt64().ShouldBe(first.Id());
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_new_ticket_gets_an_sla_due_time_from_its_priority(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var customer = await api.CreateCustomerAsync();
        var urgent = await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Fault", subject = "Down", priority = "Urgent" });
        var low = await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "When?", priority = "Low" });
        (urgent.GetProperty("dueAt").GetDateTime() - urgent.GetProperty("createdAt").GetDateTime()).ShouldBe(TimeSpan.FromHours(4), TimeSpan.FromMinutes(1));
        (low.GetProperty("dueAt").GetDateTime() - low.GetProperty("createdAt").GetDateTime()).ShouldBe(TimeSpan.FromDays(3), TimeSpan.FromMinutes(1));
        urgent.GetProperty("status").GetString().ShouldBe("New");
    }

    private static async Task<Dictionary<string, string[]>> ErrorsOf(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        return (await response.ReadAsync<JsonElement>()).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
