using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Customers;

/// <summary>Strings a client may send that the databases or the JSON writer cannot take: each answers 400 naming the field.</summary>
public sealed class CustomerTextTests(Apps apps) : IClassFixture<Apps>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task ShouldNameAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"errors name '{field}': {text}");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_search_with_a_nul_or_no_letters_answers_400_or_an_empty_page_never_500(Provider provider)
    {
        var api = apps.For(provider).Admin();
        await ShouldNameAsync(await api.GetAsync("/api/v1/customers?q=%00"), "q");
        await ShouldNameAsync(await api.GetAsync("/api/v1/customers?q=a%00b"), "q");
        foreach (var q in new[] { "!!!", "'", "''", "\"", "*", "-", "&", "|", ":*", "a:b", "NEAR(a b)", "(", "\\", "%", "@", "a & ! b" })
        {
            var response = await api.GetAsync("/api/v1/customers?q=" + Uri.EscapeDataString(q));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"q={q}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_lone_surrogate_or_a_nul_in_a_field_answers_400_naming_it(Provider provider)
    {
        var api = apps.For(provider).Admin();
        await ShouldNameAsync(await api.PostAsync("/api/v1/customers", Json("""{"name":"Ada \ud800 Lovelace"}""")), "name");
        await ShouldNameAsync(await api.PostAsync("/api/v1/customers", Json("""{"name":"Ada","city":"Ber\u0000lin"}""")), "city");
        await ShouldNameAsync(await api.PostAsync("/api/v1/customers", Json("""{"name":"Ada","tags":["ok","\udc00"]}""")), "tags[1]");
        var id = await api.CreateCustomerAsync();
        await ShouldNameAsync(await api.PutAsync($"/api/v1/customers/{id}", Json("""{"name":"Ada","company":"\ud83d"}""")), "company");
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}")).GetProperty("company").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_megabyte_tag_is_refused_like_a_megabyte_name()
    {
        var api = apps.For(Provider.Sqlite).Admin();
        var huge = new string('x', 1 << 20);
        await ShouldNameAsync(await api.PostAsJsonAsync("/api/v1/customers", new { name = huge }), "name");
        await ShouldNameAsync(await api.PostAsJsonAsync("/api/v1/customers", new { name = "Ada", tags = new[] { "vip", huge } }), "tags[1]");
        await ShouldNameAsync(await api.PostAsJsonAsync("/api/v1/customers", new { name = "Ada", tags = Enumerable.Range(0, 100_000).Select(i => "t" + i) }), "tags");
    }

    [Fact]
    public async Task The_console_form_refuses_a_control_character_and_an_overlong_tag_naming_them()
    {
        var app = apps.For(Provider.Sqlite);
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await ConsoleLogin.SignInAsync(browser, "admin", CrmApp.AdminPassword);
        var page = await browser.GetAsync("/customers/new");
        var form = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Matches(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")[^1].Groups[1].Value;
        var name = Builders.Unique("Nul ");

        var response = await browser.PostAsync("/customers/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["_handler"] = "customer",
            ["Input.Kind"] = "Person", ["Input.Name"] = name + "\u0001", ["TagText"] = "vip, " + new string('t', 41),
        }));

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain("data-invalid");
        html.ShouldContain("name: Contains the control character U+0001");
        html.ShouldContain("tags[1]: Longer than 40 characters");
        (await app.WithDbAsync(db => Task.FromResult(db.Customers.Count(c => c.Name.StartsWith(name))))).ShouldBe(0);
    }
}
