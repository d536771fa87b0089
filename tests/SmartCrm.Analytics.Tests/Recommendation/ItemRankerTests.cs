using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Analytics.Tests.Recommendation;

public sealed class ItemRankerTests
{
    [Fact]
    public void Item_neighbours_rank_the_item_rated_together_most_often_first()
    {
        // Item 1 shares two users with item 2 and one with item 3: cosine 2/√6 against 1/√3.
        var table = RatingTable.From(
        [
            new(1, 1, 5), new(1, 2, 4), new(2, 1, 3), new(2, 2, 5), new(3, 1, 4), new(3, 3, 2), new(4, 1, 5),
        ]);

        var model = ItemKnn.Fit(table, new ItemKnnOptions { Shrinkage = 0 });

        model.Recommend(4, 5).ShouldBe([2, 3]);
        model.Recommend(3, 5).ShouldBe([2]);
    }

    [Fact]
    public void Popular_items_come_by_rating_count_without_the_users_own()
    {
        var table = RatingTable.From([new(1, 7, 1), new(2, 7, 1), new(3, 7, 1), new(1, 8, 1), new(2, 8, 1), new(1, 9, 1)]);

        var model = PopularItems.Fit(table);

        model.Recommend(3, 2).ShouldBe([8, 9]);
        model.Recommend(99, 3).ShouldBe([7, 8, 9]);
    }

    [Fact]
    public void Implicit_factors_recommend_from_the_users_own_taste_group()
    {
        // Users 0-9 watch items 0-9, users 10-19 items 10-19; each user misses one item of their group.
        var ratings = new List<Rating>();
        for (var u = 0; u < 20; u++)
        {
            var group = u < 10 ? 0 : 10;
            for (var i = group; i < group + 10; i++) if (i != group + u % 10) ratings.Add(new Rating(u, i, 1));
        }
        var model = ImplicitAls.Fit(RatingTable.From(ratings), new ImplicitAlsOptions { Factors = 4, Alpha = 5, Regularization = 1, ConjugateGradientSteps = 10, Seed = 1 });

        for (var u = 0; u < 20; u++) model.Recommend(u, 1).ShouldBe([(u < 10 ? 0 : 10) + u % 10]);
    }

    [Fact]
    public void Rankers_never_return_items_the_user_rated()
    {
        var (train, _) = RatingPredictorTests.LowRankRatings(seed: 4);
        var table = RatingTable.From(train);
        IItemRanker[] rankers =
        [
            PopularItems.Fit(table),
            ItemKnn.Fit(table, new ItemKnnOptions()),
            ImplicitAls.Fit(table, new ImplicitAlsOptions { Factors = 4, Iterations = 3 }),
        ];

        foreach (var ranker in rankers)
        {
            for (var user = 0; user < 60; user++)
            {
                var recommended = ranker.Recommend(user, 10);
                recommended.Count.ShouldBeLessThanOrEqualTo(10);
                recommended.Intersect(table.RatedBy(user)).ShouldBeEmpty();
                recommended.Distinct().Count().ShouldBe(recommended.Count);
            }
        }
    }

    [Fact]
    public void Open_scores_order_items_as_the_recommendations_do_and_unknown_items_score_NaN()
    {
        var (train, _) = RatingPredictorTests.LowRankRatings(seed: 6);
        var table = RatingTable.From(train);
        IItemScorer[] scorers =
        [
            PopularItems.Fit(table),
            ItemKnn.Fit(table, new ItemKnnOptions()),
            ImplicitAls.Fit(table, new ImplicitAlsOptions { Factors = 4, Iterations = 3 }),
        ];
        var items = Enumerable.Range(0, 40).Append(999).ToArray();

        foreach (var scorer in scorers)
        {
            var scores = new double[items.Length];
            scorer.Score(3, items, scores);
            double.IsNaN(scores[^1]).ShouldBeTrue();
            var seen = table.RatedBy(3);
            var best = items[..^1].Where(i => !seen.Contains(i)).OrderByDescending(i => scores[i]).ThenBy(i => table.ItemIndex(i)).First();
            scorer.Recommend(3, 1).ShouldBe([best]);
            Should.Throw<ArgumentException>(() => scorer.Score(3, items, new double[2]));
        }
    }

    [Fact]
    public void Invalid_ranker_options_are_rejected()
    {
        var table = RatingTable.From([new(1, 1, 4)]);

        Should.Throw<ArgumentException>(() => ItemKnn.Fit(table, new ItemKnnOptions { Neighbours = 0 }));
        Should.Throw<ArgumentException>(() => ImplicitAls.Fit(table, new ImplicitAlsOptions { Factors = 0 }));
        Should.Throw<ArgumentException>(() => ImplicitAls.Fit(table, new ImplicitAlsOptions { Alpha = -1 }));
    }
}
