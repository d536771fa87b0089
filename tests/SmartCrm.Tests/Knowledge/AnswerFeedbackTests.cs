using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Knowledge;

/// <summary>Agents' marks on the assistant's answers feed back into what it answers.</summary>
public sealed class AnswerFeedbackTests(AssistantApps apps) : IClassFixture<AssistantApps>
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    private static async Task<JsonElement> AskAsync(HttpClient client, string question) =>
        await (await client.PostAsJsonAsync("/api/v1/assistant/ask", new { question })).ReadAsync<JsonElement>();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_question_marked_as_helpfully_answered_by_a_passage_is_answered_from_it_next_time(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var word = Builders.Unique("zentrix");
        var passage = $"Hold the {word} pairing button for ten seconds until the ring blinks purple.";
        var article = (await admin.CreateAsync("/api/v1/articles", new { title = $"Pairing the {word}", language = "en", body = passage })).Id();
        var question = "my quorble lamp flashes amber after the storm";
        var paraphrase = "the quorble lamp flashes amber";
        double Confidence(System.Text.Json.JsonElement answer) =>
            answer.TryGetProperty("source", out var source) && source.GetProperty("articleId").GetInt64() == article ? answer.GetProperty("confidence").GetDouble() : 0;
        var before = Confidence(await AskAsync(app.CreateClient(), question));
        var paraphraseBefore = Confidence(await AskAsync(app.CreateClient(), paraphrase));
        before.ShouldBeLessThan(0.9, "the article's words are not the question's");

        var marked = await admin.PostAsJsonAsync("/api/v1/assistant/feedback", new { question, articleId = article, passage, helpful = true });
        marked.StatusCode.ShouldBe(HttpStatusCode.Created);

        var again = await AskAsync(app.CreateClient(), question);
        again.GetProperty("answer").GetString().ShouldBe(passage);
        Confidence(again).ShouldBeGreaterThan(0.99, "the very question an agent marked");
        var near = await AskAsync(app.CreateClient(), paraphrase);
        near.GetProperty("answer").GetString().ShouldBe(passage);
        Confidence(near).ShouldBeGreaterThan(Math.Max(paraphraseBefore, AssistantApps.Threshold), "a question near the marked one is answered from its passage");
        var counts = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/articles/{article}/feedback");
        (counts.GetProperty("helpful").GetInt32(), counts.GetProperty("notHelpful").GetInt32()).ShouldBe((1, 0));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_passage_marked_not_helpful_is_not_the_answer_to_that_question_again(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var word = Builders.Unique("frobnic");
        var passage = $"Rinse the {word} filter under warm water every month.";
        var article = (await admin.CreateAsync("/api/v1/articles", new { title = $"{word} filter care", language = "en", body = passage })).Id();
        var question = $"How often should I rinse the {word} filter?";

        var before = await AskAsync(app.CreateClient(), question);
        before.GetProperty("answer").GetString().ShouldBe(passage);

        (await admin.PostAsJsonAsync("/api/v1/assistant/feedback", new { question, articleId = article, passage, helpful = false })).StatusCode.ShouldBe(HttpStatusCode.Created);

        var after = await AskAsync(app.CreateClient(), question);
        (after.TryGetProperty("answer", out var answer) ? answer.GetString() : null).ShouldNotBe(passage);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_mark_on_a_passage_the_article_does_not_have_or_on_no_article_is_refused_naming_the_field(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var article = (await admin.CreateAsync("/api/v1/articles", new { title = "Marks", language = "en", body = "A real passage." })).Id();

        var wrongPassage = await admin.PostAsJsonAsync("/api/v1/assistant/feedback", new { question = "q", articleId = article, passage = "Not in it.", helpful = true });
        wrongPassage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrongPassage.Content.ReadAsStringAsync()).ShouldContain("passage");
        var noArticle = await admin.PostAsJsonAsync("/api/v1/assistant/feedback", new { question = "q", articleId = 987654321, passage = "A real passage.", helpful = true });
        (await noArticle.Content.ReadAsStringAsync()).ShouldContain("articleId");
        var empty = await admin.PostAsJsonAsync("/api/v1/assistant/feedback", new { question = " ", articleId = article, passage = "A real passage.", helpful = true });
        (await empty.Content.ReadAsStringAsync()).ShouldContain("question");
    }
}
