using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Knowledge;

public sealed class KnowledgeApiTests(Apps apps) : IClassFixture<Apps>
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_save_of_an_article_is_a_version_and_only_knowledge_writers_save(Provider provider)
    {
        var app = apps.For(provider);
        var support = app.ClientAs(Role.Support);
        var article = await support.CreateAsync("/api/v1/articles", new { title = "Warranty period", body = "Every device has two years of warranty.", category = "warranty", language = "en" });
        article.GetProperty("version").GetInt32().ShouldBe(1);
        var id = article.Id();

        var updated = await support.PutAsJsonAsync($"/api/v1/articles/{id}", new { title = "Warranty period", body = "Every device has three years of warranty.", category = "warranty", language = "en" });
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await updated.ReadAsync<JsonElement>()).GetProperty("version").GetInt32().ShouldBe(2);
        var versions = await support.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{id}/versions");
        versions.EnumerateArray().Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("body").GetString()))
            .ShouldBe([(2, "Every device has three years of warranty."), (1, "Every device has two years of warranty.")]);

        (await app.ClientAs(Role.Sales).PostAsJsonAsync("/api/v1/articles", new { title = "t", body = "b", language = "en" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.ClientAs(Role.Analyst).PutAsJsonAsync($"/api/v1/articles/{id}", new { title = "t", body = "b", language = "en" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var wrongLanguage = await support.PostAsJsonAsync("/api/v1/articles", new { title = "t", body = "b", language = "fr" });
        wrongLanguage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrongLanguage.Content.ReadAsStringAsync()).ShouldContain("language");
        (await support.GetAsync("/api/v1/articles/999999999/versions")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Search_finds_the_passage_in_english_and_in_chinese(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var english = (await api.CreateAsync("/api/v1/articles", new
        {
            title = "Descaling the kettle", language = "en",
            body = "Fill the kettle with water and vinegar.\nBoil it twice and rinse it with clean water before use.",
        })).Id();
        var chinese = (await api.CreateAsync("/api/v1/articles", new
        {
            title = "电水壶除垢", language = "zh-Hans",
            body = "在水壶中加入清水和白醋。\n煮沸两次后用清水冲洗干净再使用。",
        })).Id();

        var found = await api.GetFromJsonAsync<JsonElement>("/api/v1/knowledge/search?q=" + Uri.EscapeDataString("should I rinse the kettle after I boil it"));
        found[0].GetProperty("articleId").GetInt64().ShouldBe(english);
        found[0].GetProperty("passage").GetString()!.ShouldStartWith("Boil it twice");
        var zh = await api.GetFromJsonAsync<JsonElement>("/api/v1/knowledge/search?q=" + Uri.EscapeDataString("水壶除垢要煮沸几次"));
        zh[0].GetProperty("articleId").GetInt64().ShouldBe(chinese);
        (await api.GetAsync("/api/v1/knowledge/search?q=")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
