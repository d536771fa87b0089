using System.Net;
using System.Net.Http.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Knowledge;

public sealed class KnowledgePagesTests(Apps apps) : IClassFixture<Apps>
{
    [Fact]
    public async Task The_console_lists_articles_and_shows_one_with_its_versions_escaping_what_it_holds()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var title = Builders.Unique("Filter cleaning ");
        var id = (await api.CreateAsync("/api/v1/articles", new { title, body = "Rinse the filter.", language = "en", category = "how-to" })).Id();
        (await api.PutAsJsonAsync($"/api/v1/articles/{id}", new { title, body = "Rinse the filter under warm water.\n<script>alert(1)</script>", language = "en" })).EnsureSuccessStatusCode();
        using var console = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);

        var list = await console.Client.GetStringAsync("/knowledge?q=" + Uri.EscapeDataString(title));
        list.ShouldContain($"href=\"/knowledge/{id}\"");
        var page = await console.Client.GetStringAsync($"/knowledge/{id}");
        page.ShouldContain("Rinse the filter under warm water.");
        page.ShouldContain("data-version=\"2\"");
        page.ShouldContain("data-version=\"1\"");
        page.ShouldNotContain("<script>alert(1)</script>");
        page.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        (await console.Client.GetAsync("/knowledge/999999999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
