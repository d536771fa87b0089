using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Analytics.Tests.Recommendation;

public sealed class RatingSplitTests
{
    [Fact]
    public void Each_user_loses_about_the_share_asked_for_and_keeps_at_least_one_rating()
    {
        var ratings = new List<Rating>();
        for (var u = 0; u < 20; u++)
            for (var i = 0; i <= u; i++) ratings.Add(new Rating(u, i, 1 + i % 5));

        var (train, heldOut) = RatingSplit.HoldOut(ratings, 0.25, seed: 3);

        train.Concat(heldOut).OrderBy(r => (r.User, r.Item)).ShouldBe(ratings.OrderBy(r => (r.User, r.Item)));
        for (var u = 0; u < 20; u++)
        {
            var held = heldOut.Count(r => r.User == u);
            held.ShouldBe(Math.Min((int)Math.Round(0.25 * (u + 1)), u));
            train.Count(r => r.User == u).ShouldBeGreaterThanOrEqualTo(1);
        }
    }

    [Fact]
    public void The_seed_decides_which_ratings_are_held_out()
    {
        var ratings = Enumerable.Range(0, 200).Select(i => new Rating(i % 4, i, 3)).ToList();

        RatingSplit.HoldOut(ratings, 0.2, seed: 1).HeldOut.ShouldBe(RatingSplit.HoldOut(ratings, 0.2, seed: 1).HeldOut);
        RatingSplit.HoldOut(ratings, 0.2, seed: 1).HeldOut.ShouldNotBe(RatingSplit.HoldOut(ratings, 0.2, seed: 2).HeldOut);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Shares_outside_zero_to_one_are_rejected(double share)
    {
        Should.Throw<ArgumentException>(() => RatingSplit.HoldOut([new(1, 1, 3)], share, seed: 1)).ParamName.ShouldBe("share");
    }

    [Fact]
    public void No_ratings_are_rejected()
    {
        Should.Throw<ArgumentException>(() => RatingSplit.HoldOut([], 0.2, seed: 1)).Message.ShouldContain("no ratings");
    }
}
