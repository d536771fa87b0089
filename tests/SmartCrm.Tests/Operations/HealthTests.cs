using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Operations;

public sealed class HealthTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Healthz_answers_without_credentials_and_names_the_database(Provider provider)
    {
        var response = await apps.For(provider).CreateClient().GetAsync("/healthz");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString().ShouldBe("Healthy");
        body.GetProperty("checks").GetProperty("database").GetProperty("description").GetString()
            .ShouldBe(provider == Provider.Postgres ? "PostgreSQL" : "SQLite");
    }

    [Fact]
    public async Task Healthz_is_unhealthy_when_the_database_is_gone()
    {
        using var app = new CrmApp();
        var client = app.CreateClient();
        (await client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The data folder vanishing (disk unmounted) leaves SQLite unable to open its file.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(app.DataDirectory, recursive: true);
        var response = await client.GetAsync("/healthz");
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Unhealthy");
    }

    [Fact]
    public async Task The_openapi_document_lists_the_record_endpoints()
    {
        var document = await apps.For(Provider.Sqlite).CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/customers", "/api/v1/customers/{id}", "/api/v1/customers/{id}/360", "/api/v1/orders", "/api/v1/tickets", "/api/v1/opportunities" })
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        }
    }
}
