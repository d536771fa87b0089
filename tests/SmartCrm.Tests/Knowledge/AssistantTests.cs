using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Knowledge;

/// <summary>Apps whose assistant answers from a similarity of 0.3 (the setting, not the default chosen on banking77).</summary>
public sealed class AssistantApps : Apps
{
    public const double Threshold = 0.3;

    protected override void Configure(CrmApp app) => app.Settings["Assistant:Threshold"] = "0.3";
}

public sealed class AssistantTests(AssistantApps apps) : IClassFixture<AssistantApps>
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task An_anonymous_question_near_an_article_is_answered_with_its_passage_confidence_and_source(Provider provider)
    {
        var app = apps.For(provider);
        var article = (await app.Admin().CreateAsync("/api/v1/articles", new
        {
            title = "Resetting the thermostat password", language = "en",
            body = "Open the app and choose Settings.\nTo reset the thermostat password, hold the round button for ten seconds until the light turns blue.",
        })).Id();

        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/assistant/ask", new { question = "How do I reset the thermostat password?" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await response.ReadAsync<JsonElement>();
        answer.GetProperty("answer").GetString()!.ShouldContain("hold the round button");
        answer.GetProperty("confidence").GetDouble().ShouldBeGreaterThanOrEqualTo(AssistantApps.Threshold);
        answer.GetProperty("source").GetProperty("articleId").GetInt64().ShouldBe(article);
        answer.TryGetProperty("handoff", out _).ShouldBeFalse();
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_question_no_article_answers_is_handed_to_a_person_as_a_ticket_of_the_asker(Provider provider)
    {
        var app = apps.For(provider);
        var email = Builders.Unique("asker") + "@example.com";
        var question = "Zygomorphic quasar bandwidth on my " + Builders.Unique("gizmo");

        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/assistant/ask", new { question, name = "Li Wei", email });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await response.ReadAsync<JsonElement>();
        answer.GetProperty("handoff").GetBoolean().ShouldBeTrue();
        var ticketId = answer.GetProperty("ticketId").GetInt64();
        var ticket = await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == ticketId));
        ticket.Subject.ShouldBe(question);
        ticket.Description!.ShouldContain(question);
        var customer = await app.WithDbAsync(db => db.Customers.SingleAsync(c => c.Id == ticket.CustomerId));
        (customer.Name, customer.Email).ShouldBe(("Li Wei", email));
        customer.Tags.ShouldContain("lead");

        // The same person asking again is the same customer.
        var again = await (await app.CreateClient().PostAsJsonAsync("/api/v1/assistant/ask", new { question = question + " again", email })).ReadAsync<JsonElement>();
        (await app.WithDbAsync(db => db.Tickets.SingleAsync(t => t.Id == again.GetProperty("ticketId").GetInt64()))).CustomerId.ShouldBe(customer.Id);
    }

    [Fact]
    public async Task Empty_and_enormous_questions_are_refused_with_the_field_named()
    {
        var client = apps.For(Provider.Sqlite).CreateClient();
        var empty = await client.PostAsJsonAsync("/api/v1/assistant/ask", new { question = " " });
        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await empty.Content.ReadAsStringAsync()).ShouldContain("question");
        (await client.PostAsJsonAsync("/api/v1/assistant/ask", new { question = new string('a', 2001) })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Anonymous_askers_are_rate_limited_and_signed_in_ones_are_not()
    {
        using var app = new CrmApp();
        app.Settings["Assistant:AnonymousPerMinute"] = "2";
        var anonymous = app.CreateClient();
        for (var i = 0; i < 2; i++) (await anonymous.PostAsJsonAsync("/api/v1/assistant/ask", new { question = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await anonymous.PostAsJsonAsync("/api/v1/assistant/ask", new { question = "Is there anyone?" })).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await app.Admin().PostAsJsonAsync("/api/v1/assistant/ask", new { question = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
