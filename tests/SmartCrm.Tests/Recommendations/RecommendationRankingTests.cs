using SmartCrm.Analytics.Recommendation;
using SmartCrm.Catalog;
using SmartCrm.Recommendations;
using Rating = SmartCrm.Analytics.Recommendation.Rating;

namespace SmartCrm.Tests.Recommendations;

public sealed class RecommendationRankingTests
{
    [Fact]
    public void Two_devices_of_one_kind_are_not_offered_side_by_side()
    {
        // Product 1 is a plan; 2 and 3 are heaters (one kind); every plan buyer also bought one heater or the other.
        var choices = new List<Rating>();
        for (var c = 10; c < 40; c++)
        {
            choices.Add(new Rating(c, 1, 1));
            choices.Add(new Rating(c, c % 2 == 0 ? 2 : 3, 1));
        }
        choices.Add(new Rating(99, 1, 1));
        var history = new PurchaseHistory
        {
            Choices = choices, Bought = [], Dismissed = [], Devices = [], Feedback = new Dictionary<FeedbackKind, int>(),
            Products = new Dictionary<long, ProductFacts>
            {
                [1] = new(1, ProductKind.ServicePlan, "Plans", true), [2] = new(2, ProductKind.Device, "Heaters", true), [3] = new(3, ProductKind.Device, "Heaters", true),
            },
        };
        var model = ImplicitAls.Fit(RatingTable.From(choices), RecommendationTraining.Als(new RecommendationsOptions()));
        var ranked = new RecommendationRanking(model, history, new RecommendationsOptions(), DateTime.UtcNow).Rank(99);
        ranked.Count(r => r.ProductId is 2 or 3).ShouldBe(1);
        ranked[0].Source.ShouldBe("similar");
        ranked[0].Rank.ShouldBe(1);
    }
}
