using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Recommendations;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Recommendations;

public sealed class RecommendationImpressionTests
{
    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Recommendations_count_as_shown_once_a_day_when_someone_who_can_act_on_them_opens_the_360(Provider provider)
    {
        using var app = new CrmApp(provider);
        var admin = app.Admin();
        var customer = await admin.CreateCustomerAsync();
        var products = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            products.Add((await admin.CreateAsync("/api/v1/products", new { sku = Builders.Unique("SKU-"), name = Builders.Unique("Plan "), kind = "ServicePlan", price = 10m, category = "Plans" })).Id());
        }
        await app.WithDbAsync(async db =>
        {
            db.Recommendations.AddRange(products.Select((p, i) => new Recommendation
            {
                CustomerId = customer, ProductId = p, Rank = i + 1, Score = 0.5 - i * 0.1, Source = "similar", ModelVersion = 1, ScoredAt = DateTime.UtcNow,
            }));
            return await db.SaveChangesAsync();
        });
        Task<int> ShownAsync() => app.WithDbAsync(db => db.RecommendationFeedback.CountAsync(f => f.CustomerId == customer && f.Kind == FeedbackKind.Shown));

        // A reader who cannot answer them, and a program reading the API, are no audience for an offer.
        var (_, _, reader) = await ConsoleSession.NewUserAsync(app, admin, Role.ReadOnly);
        (await reader.Client.GetStringAsync($"/customers/{customer}")).ShouldContain($"data-recommendation=\"{products[0]}\"");
        (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/customers/{customer}/360")).GetProperty("recommendations").GetArrayLength().ShouldBe(2);
        (await ShownAsync()).ShouldBe(0);

        var (_, seller, sales) = await ConsoleSession.NewUserAsync(app, admin, Role.Sales);
        (await sales.Client.GetStringAsync($"/customers/{customer}")).ShouldContain("data-answer=\"dismissed\"");
        var shown = await app.WithDbAsync(db => db.RecommendationFeedback.Where(f => f.CustomerId == customer && f.Kind == FeedbackKind.Shown).ToListAsync());
        shown.Select(f => f.ProductId).Order().ShouldBe(products);
        shown.ShouldAllBe(f => f.By == seller);
        // A showing is counted, not audited: the page view writes no audit rows beside it.
        (await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Entity == nameof(RecommendationFeedback)))).ShouldBe(0);

        // Seen again the same day: nothing more is written.
        await sales.Client.GetStringAsync($"/customers/{customer}");
        (await ShownAsync()).ShouldBe(2);
    }
}
