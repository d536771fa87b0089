using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Analytics.Tests.Recommendation;

public sealed class ContentRankerTests
{
    // Three science-fiction films, three romances (one shares "Paris" with another), one horror film; item 10 has no ratings.
    private static readonly ItemDescription[] Films =
    [
        new(1, "Alien Invasion SciFi"),
        new(2, "Star Voyage SciFi"),
        new(3, "Robot Dawn SciFi"),
        new(4, "Love in Paris Romance"),
        new(5, "Wedding Bells Romance"),
        new(6, "Haunted House Horror"),
        new(9, "Paris Kiss Romance"),
        new(10, "Mars Colony SciFi"),
    ];

    private static RatingTable Ratings() => RatingTable.From(
    [
        new(1, 1, 5), new(1, 4, 1), new(1, 5, 2), // a science-fiction fan who disliked two romances
        new(2, 4, 4), new(2, 5, 4), new(2, 6, 3),
        new(3, 4, 5), new(3, 2, 4), new(3, 3, 2), new(3, 9, 1),
    ]);

    [Fact]
    public void Items_of_the_users_favourite_genre_come_first_and_disliked_genres_last()
    {
        var model = ContentRanker.Fit(Ratings(), Films);

        // The three unseen science-fiction films share one word with the profile; the remaining romance is pushed away.
        var ranked = model.Recommend(1, 5);

        ranked.Take(3).ShouldBe([2, 3, 10], ignoreOrder: true);
        ranked[3].ShouldBe(6);
        ranked[4].ShouldBe(9);
    }

    [Fact]
    public void An_item_nobody_has_rated_is_recommended_by_its_description()
    {
        var model = ContentRanker.Fit(Ratings(), Films);

        model.Recommend(1, 3).ShouldContain(10);
        model.SimilarItems(10, 3).ShouldBe([1, 2, 3], ignoreOrder: true);
    }

    [Fact]
    public void Without_rating_weights_every_rated_item_pulls_the_profile_towards_it()
    {
        var weighted = ContentRanker.Fit(Ratings(), Films);
        var counted = ContentRanker.Fit(Ratings(), Films, new ContentOptions { WeightByRating = false });

        // Two of the fan's three films are romances: counted alike they make the last romance the best match.
        weighted.Recommend(1, 1).ShouldNotBe([9]);
        counted.Recommend(1, 1).ShouldBe([9]);
    }

    [Fact]
    public void Similar_items_share_words_and_leave_out_the_item_itself()
    {
        var model = ContentRanker.Fit(Ratings(), Films);

        var similar = model.SimilarItems(4, 2);

        similar[0].ShouldBe(9); // "Paris" and "Romance"
        similar[1].ShouldBe(5);
    }

    [Fact]
    public void Seen_items_are_never_recommended()
    {
        var table = Ratings();
        var model = ContentRanker.Fit(table, Films);

        foreach (var user in new[] { 1, 2, 3 })
        {
            var ranked = model.Recommend(user, Films.Length);
            ranked.Intersect(table.RatedBy(user)).ShouldBeEmpty();
            ranked.Count.ShouldBe(Films.Length - table.RatedBy(user).Count);
        }
    }

    [Fact]
    public void A_user_without_ratings_gets_the_most_rated_items()
    {
        var model = ContentRanker.Fit(Ratings(), Films);

        model.Recommend(99, 2).ShouldBe([4, 5]);
    }

    [Fact]
    public void Scores_follow_the_catalogue_and_items_outside_it_get_NaN()
    {
        var model = ContentRanker.Fit(Ratings(), Films);
        var scores = new double[3];

        model.Score(1, [2, 42, 9], scores);

        scores[0].ShouldBeGreaterThan(0);
        double.IsNaN(scores[1]).ShouldBeTrue();
        scores[2].ShouldBeLessThan(0);
        Should.Throw<ArgumentException>(() => model.Score(1, [1, 2], new double[1]));
    }

    [Fact]
    public void Bad_catalogues_are_rejected()
    {
        var table = Ratings();

        Should.Throw<ArgumentException>(() => ContentRanker.Fit(table, [])).Message.ShouldContain("empty");
        Should.Throw<ArgumentException>(() => ContentRanker.Fit(table, [new(1, "a film"), new(1, "another")])).Message.ShouldContain("item 1");
        Should.Throw<ArgumentException>(() => ContentRanker.Fit(table, [new(1, null!)])).Message.ShouldContain("item 1");
        Should.Throw<ArgumentException>(() => ContentRanker.Fit(table, [new(1, "!"), new(2, "?")]));
        Should.Throw<ArgumentException>(() => ContentRanker.Fit(table, Films).SimilarItems(42, 3));
    }
}
