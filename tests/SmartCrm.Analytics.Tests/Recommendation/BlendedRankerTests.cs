using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Analytics.Tests.Recommendation;

public sealed class BlendedRankerTests
{
    [Fact]
    public void Weight_zero_ranks_as_the_first_model_and_weight_one_as_the_second()
    {
        var (train, _) = RatingPredictorTests.LowRankRatings(seed: 11);
        var table = RatingTable.From(train);
        var catalogue = Descriptions(table, seed: 3);
        var collaborative = ImplicitAls.Fit(table, new ImplicitAlsOptions { Factors = 4, Iterations = 5, Seed = 1 });
        var content = ContentRanker.Fit(table, catalogue);
        var items = catalogue.Select(c => c.Item).ToArray();

        var onlyFirst = BlendedRanker.Create(table, collaborative, content, 0, items);
        var onlySecond = BlendedRanker.Create(table, collaborative, content, 1, items);
        var half = BlendedRanker.Create(table, collaborative, content, 0.5, items);

        var differs = false;
        for (var user = 0; user < 60; user++)
        {
            onlyFirst.Recommend(user, 10).ShouldBe(collaborative.Recommend(user, 10));
            onlySecond.Recommend(user, 10).ShouldBe(content.Recommend(user, 10));
            differs |= !half.Recommend(user, 10).SequenceEqual(collaborative.Recommend(user, 10));
        }
        differs.ShouldBeTrue();
    }

    [Fact]
    public void An_item_the_collaborative_model_never_saw_gets_through_on_its_description()
    {
        // User 1 liked two "space" films; film 4 is a new space film, so the popularity model cannot score it.
        var table = RatingTable.From([new(1, 1, 1), new(1, 2, 1), new(2, 1, 1), new(2, 3, 1), new(3, 2, 1), new(3, 3, 1), new(4, 5, 1), new(5, 5, 1), new(6, 5, 1)]);
        ItemDescription[] catalogue = [new(1, "space war"), new(2, "space trek"), new(3, "moon odyssey"), new(4, "space colony"), new(5, "garden party")];
        var popular = PopularItems.Fit(table);
        var content = ContentRanker.Fit(table, catalogue, new ContentOptions { WeightByRating = false });

        var blend = BlendedRanker.Create(table, popular, content, 0.6, [1, 2, 3, 4, 5]);

        popular.Recommend(1, 5).ShouldNotContain(4);
        blend.Recommend(1, 1).ShouldBe([4]);
    }

    [Fact]
    public void The_chosen_weight_is_the_one_that_ranks_the_held_out_items_best()
    {
        // Users 0-9 keep to "alpha" items 0-9; users 10-29 make the "beta" items 10-19 the most popular.
        var ratings = new List<Rating>();
        var heldOut = new List<Rating>();
        for (var u = 0; u < 10; u++)
            for (var i = 0; i < 10; i++) (i % 3 == u % 3 ? heldOut : ratings).Add(new Rating(u, i, 1));
        for (var u = 10; u < 30; u++)
            for (var i = 10; i < 20; i++) ratings.Add(new Rating(u, i, 1));
        var table = RatingTable.From(ratings);
        var catalogue = Enumerable.Range(0, 20).Select(i => new ItemDescription(i, (i < 10 ? "alpha " : "beta ") + "film" + i)).ToArray();

        var choice = BlendedRanker.ChooseWeight(table, PopularItems.Fit(table), ContentRanker.Fit(table, catalogue), heldOut, [.. catalogue.Select(c => c.Item)]);

        choice.Ndcg.Count.ShouldBe(21);
        choice.Weight.ShouldBeGreaterThan(0);
        choice.Ndcg.Single(c => c.Weight == choice.Weight).Ndcg.ShouldBe(choice.Ndcg.Max(c => c.Ndcg));
        choice.Ndcg[0].Ndcg.ShouldBeLessThan(choice.Ndcg.Max(c => c.Ndcg));
        choice.Ndcg.First(c => c.Ndcg == choice.Ndcg.Max(x => x.Ndcg)).Weight.ShouldBe(choice.Weight);
    }

    [Fact]
    public void Seen_items_are_never_recommended()
    {
        var (train, _) = RatingPredictorTests.LowRankRatings(seed: 12);
        var table = RatingTable.From(train);
        var blend = BlendedRanker.Create(table, ItemKnn.Fit(table, new ItemKnnOptions()), ContentRanker.Fit(table, Descriptions(table, seed: 4)), 0.3);

        for (var user = 0; user < 60; user++)
        {
            var ranked = blend.Recommend(user, 40);
            ranked.Intersect(table.RatedBy(user)).ShouldBeEmpty();
            ranked.Count.ShouldBe(table.ItemCount - table.RatedBy(user).Count);
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void Weights_outside_zero_to_one_are_rejected(double weight)
    {
        var table = RatingTable.From([new(1, 1, 4), new(2, 2, 3)]);
        var popular = PopularItems.Fit(table);

        Should.Throw<ArgumentException>(() => BlendedRanker.Create(table, popular, popular, weight)).ParamName.ShouldBe("weight");
        Should.Throw<ArgumentException>(() => BlendedRanker.ChooseWeight(table, popular, popular, [new(1, 2, 1)], weights: [0, weight]));
    }

    [Fact]
    public void Choosing_a_weight_without_held_out_ratings_is_rejected()
    {
        var table = RatingTable.From([new(1, 1, 4), new(2, 2, 3)]);
        var popular = PopularItems.Fit(table);

        Should.Throw<ArgumentException>(() => BlendedRanker.ChooseWeight(table, popular, popular, [])).Message.ShouldContain("held-out");
        Should.Throw<ArgumentException>(() => BlendedRanker.Create(table, popular, popular, 0.5, [])).Message.ShouldContain("catalogue");
    }

    /// <summary>Every item of the table, in the table's order, described by three words drawn from a small vocabulary.</summary>
    internal static ItemDescription[] Descriptions(RatingTable table, int seed)
    {
        var random = new Random(seed);
        string[] words = ["red", "blue", "green", "fast", "slow", "old", "new", "big", "small", "dark", "light", "loud"];
        return [.. Enumerable.Range(0, table.ItemCount).Select(i => new ItemDescription(table.ItemId(i), $"{words[random.Next(words.Length)]} {words[random.Next(words.Length)]} {words[random.Next(words.Length)]} item{i}"))];
    }
}
