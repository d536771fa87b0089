using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Customers;

public sealed class CustomersApiTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Create_answers_201_with_the_record_and_its_id(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var response = await api.PostAsJsonAsync("/api/v1/customers", new { name = "  Ada Lovelace ", email = "ADA@Example.com ", phone = "+44 20 7946 0000" });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await response.ReadAsync<JsonElement>();
        var id = body.Id();
        id.ShouldBeGreaterThan(0);
        body.GetProperty("name").GetString().ShouldBe("Ada Lovelace");
        body.GetProperty("email").GetString().ShouldBe("ada@example.com");
        response.Headers.Location!.ToString().ShouldEndWith($"/api/v1/customers/{id}");

        var fetched = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}");
        fetched.GetProperty("phone").GetString().ShouldBe("+44 20 7946 0000");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Unknown_id_answers_404_problem(Provider provider)
    {
        var api = apps.For(provider).Admin();
        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/api/v1/customers/987654321"),
            new HttpRequestMessage(HttpMethod.Delete, "/api/v1/customers/987654321"),
            new HttpRequestMessage(HttpMethod.Put, "/api/v1/customers/987654321") { Content = JsonContent.Create(new { name = "x" }) },
            new HttpRequestMessage(HttpMethod.Get, "/api/v1/customers/987654321/360"),
        })
        {
            var response = await api.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, request.ToString());
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await response.ReadAsync<JsonElement>()).GetProperty("id").GetInt64().ShouldBe(987654321);
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task List_pages_sorts_and_counts(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var family = Builders.Unique("Fam");
        foreach (var first in new[] { "Carla", "Anna", "Bert", "Dora", "Emil" }) await api.CreateCustomerAsync($"{first} {family}");

        var page1 = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={family}&sort=name&page=1&pageSize=2");
        page1.GetProperty("total").GetInt32().ShouldBe(5);
        page1.GetProperty("page").GetInt32().ShouldBe(1);
        page1.GetProperty("pageSize").GetInt32().ShouldBe(2);
        Names(page1).ShouldBe([$"Anna {family}", $"Bert {family}"]);

        var page3 = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={family}&sort=name&page=3&pageSize=2");
        Names(page3).ShouldBe([$"Emil {family}"]);

        var descending = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={family}&sort=-name&pageSize=1");
        Names(descending).ShouldBe([$"Emil {family}"]);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Search_pages_in_id_order_by_default_without_skipping_or_repeating(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var family = Builders.Unique("Pag");
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await api.CreateCustomerAsync($"Person{i} {family}"));

        var seen = new List<long>();
        for (var page = 1; page <= 3; page++)
        {
            var found = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={family}&page={page}&pageSize=3");
            found.GetProperty("total").GetInt32().ShouldBe(7);
            seen.AddRange(found.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
        }
        seen.ShouldBe(ids.Order().ToList());
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Search_finds_by_name_prefix_email_and_phone_in_any_format(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var surname = Builders.Unique("Zq");
        var email = $"{Builders.Unique("mail")}@shop.example";
        var digits = Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = await api.CreateCustomerAsync($"Grace {surname}", email, $"+1 ({digits[..3]}) {digits[3..6]}-{digits[6..]}");
        await api.CreateCustomerAsync($"Other {Builders.Unique("Person")}");

        foreach (var q in new[] { surname[..6], $"grace {surname}", email, digits, $"{digits[..3]}-{digits[3..6]}" })
        {
            var found = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={Uri.EscapeDataString(q)}");
            found.GetProperty("items").EnumerateArray().Select(c => c.Id()).ShouldContain(id, $"search '{q}'");
            found.GetProperty("total").GetInt32().ShouldBe(1, $"search '{q}'");
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Search_and_its_count_follow_renames_and_deletes(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var before = Builders.Unique("Old");
        var after = Builders.Unique("New");
        var id = await api.CreateCustomerAsync($"Ren {before}");
        var other = await api.CreateCustomerAsync($"Other {before}");

        (await TotalAsync(api, before)).ShouldBe(2);
        (await api.PutAsJsonAsync($"/api/v1/customers/{id}", new { name = $"Ren {after}" })).EnsureSuccessStatusCode();
        (await TotalAsync(api, before)).ShouldBe(1);
        (await TotalAsync(api, after)).ShouldBe(1);
        (await api.DeleteAsync($"/api/v1/customers/{other}")).EnsureSuccessStatusCode();
        (await TotalAsync(api, before)).ShouldBe(0);
        var page = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={before}");
        page.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    private static async Task<int> TotalAsync(HttpClient api, string q) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={q}")).GetProperty("total").GetInt32();

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Filters_on_fields_and_rejects_unknown_ones(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var family = Builders.Unique("Filt");
        var company = await api.CreateCustomerAsync($"{family} Ltd", kind: "Company", country: "de");
        await api.CreateCustomerAsync($"Person {family}", kind: "Person", country: "fr");

        var companies = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={family}&kind=Company");
        companies.GetProperty("items").EnumerateArray().Select(c => c.Id()).ShouldBe([company]);
        var german = await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers?q={family}&country=DE");
        german.GetProperty("total").GetInt32().ShouldBe(1);

        var unknown = await api.GetAsync("/api/v1/customers?shoeSize=42");
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsOf(unknown)).ShouldContainKey("shoeSize");
        var badValue = await api.GetAsync("/api/v1/customers?kind=Alien");
        (await ErrorsOf(badValue)).ShouldContainKey("kind");
        var badPage = await api.GetAsync("/api/v1/customers?pageSize=100000");
        (await ErrorsOf(badPage)).ShouldContainKey("pageSize");
        var badSort = await api.GetAsync("/api/v1/customers?sort=nonsense");
        (await ErrorsOf(badSort)).ShouldContainKey("sort");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Same_email_answers_409_naming_the_existing_customer_unless_duplicates_are_allowed(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var email = $"{Builders.Unique("dup")}@example.com";
        var first = await api.CreateCustomerAsync(email: email);

        var again = await api.PostAsJsonAsync("/api/v1/customers", new { name = "Someone", email = email.ToUpperInvariant() });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await again.ReadAsync<JsonElement>();
        problem.GetProperty("existingId").GetInt64().ShouldBe(first);
        problem.GetProperty("detail").GetString()!.ShouldContain(first.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var allowed = await api.PostAsJsonAsync("/api/v1/customers?allowDuplicate=true", new { name = "Someone", email });
        allowed.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Bad_input_answers_problem_json_naming_the_field_and_writes_nothing(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var before = await app.WithDbAsync(db => Task.FromResult(db.Customers.Count()));

        var cases = new (string Body, string Field)[]
        {
            ("{\"name\": \"x\", \"email\": ", "email"),
            ("{\"name\": 42}", "name"),
            ("{\"name\": \"x\", \"kind\": \"Alien\"}", "kind"),
            ("{\"email\": \"a@b.example\"}", "name"),
            ($"{{\"name\": \"{new string('n', 201)}\"}}", "name"),
            ("{\"name\": \"x\", \"email\": \"not an email\"}", "email"),
            ("{\"name\": \"x\", \"country\": \"Germany\"}", "country"),
            ("{\"name\": \"x\", \"tags\": \"vip\"}", "tags"),
        };
        foreach (var (body, field) in cases)
        {
            var response = await api.PostAsync("/api/v1/customers", new StringContent(body, Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", body);
            (await ErrorsOf(response)).ShouldContainKey(field, body);
        }
        var notJson = await api.PostAsync("/api/v1/customers", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        ((int)notJson.StatusCode).ShouldBe(415);

        (await app.WithDbAsync(db => Task.FromResult(db.Customers.Count()))).ShouldBe(before);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Update_and_delete_are_in_the_audit_log_with_who_and_what(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var id = await api.CreateCustomerAsync("Before Name");

        var update = await api.PutAsJsonAsync($"/api/v1/customers/{id}", new { name = "After Name", email = "after@example.com" });
        update.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await update.ReadAsync<JsonElement>()).GetProperty("name").GetString().ShouldBe("After Name");
        (await api.DeleteAsync($"/api/v1/customers/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await api.GetAsync($"/api/v1/customers/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var audit = await api.GetFromJsonAsync<JsonElement>($"/api/v1/audit?entity=Customer&entityId={id}&sort=id");
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("action").GetString()).ShouldBe(["Added", "Modified", "Deleted"]);
        entries.ShouldAllBe(e => e.GetProperty("actor").GetString() == "apikey:test-Admin");
        var changes = JsonDocument.Parse(entries[1].GetProperty("changes").GetString()!).RootElement;
        changes.GetProperty("Name")[0].GetString().ShouldBe("Before Name");
        changes.GetProperty("Name")[1].GetString().ShouldBe("After Name");
    }

    private static List<string> Names(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    private static async Task<Dictionary<string, string[]>> ErrorsOf(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.ReadAsync<JsonElement>();
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
