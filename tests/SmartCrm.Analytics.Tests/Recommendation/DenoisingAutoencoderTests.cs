using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Analytics.Tests.Recommendation;

public sealed class DenoisingAutoencoderTests
{
    private static readonly AutoencoderOptions Small = new() { Hidden = 8, Epochs = 150, BatchSize = 16, LearningRate = 0.01, Regularization = 0.001, Seed = 1 };

    /// <summary>
    /// Thirty users who took A (1) and B (2) also took C (3); forty others took D (4) and E (5), so D is more popular
    /// than C; everyone also took one of the filler items 10-19. User 100 has only A and B.
    /// </summary>
    private static RatingTable Pattern()
    {
        var random = new Random(5);
        var ratings = new List<Rating>();
        for (var u = 0; u < 30; u++) ratings.AddRange([new(u, 1, 1), new(u, 2, 1), new(u, 3, 1), new(u, 10 + random.Next(10), 1)]);
        for (var u = 30; u < 70; u++) ratings.AddRange([new(u, 4, 1), new(u, 5, 1), new(u, 10 + random.Next(10), 1)]);
        ratings.AddRange([new(100, 1, 1), new(100, 2, 1)]);
        return RatingTable.From(ratings);
    }

    [Fact]
    public void Users_who_liked_A_and_B_are_offered_C_before_more_popular_items()
    {
        var table = Pattern();

        var model = DenoisingAutoencoder.Fit(table, Small);

        PopularItems.Fit(table).Recommend(100, 1).ShouldBe([4]);
        model.Recommend(100, 1).ShouldBe([3]);
        model.Recommend(30, 1).ShouldNotBe([3]); // a D-and-E user is not offered C first
    }

    [Fact]
    public void Seen_items_are_never_recommended()
    {
        var table = Pattern();
        var model = DenoisingAutoencoder.Fit(table, Small with { Epochs = 5 });

        foreach (var user in new[] { 0, 35, 100 })
        {
            var ranked = model.Recommend(user, 20);
            ranked.Intersect(table.RatedBy(user)).ShouldBeEmpty();
            ranked.Count.ShouldBe(table.ItemCount - table.RatedBy(user).Count);
        }
    }

    [Fact]
    public void The_same_seed_trains_the_same_network_and_another_seed_a_different_one()
    {
        var table = Pattern();
        var items = Enumerable.Range(1, 19).ToArray();
        double[] Scores(int seed)
        {
            var scores = new double[items.Length];
            DenoisingAutoencoder.Fit(table, Small with { Epochs = 10, Seed = seed }).Score(100, items, scores);
            return scores;
        }

        Scores(7).ShouldBe(Scores(7));
        Scores(7).ShouldNotBe(Scores(8));
    }

    [Fact]
    public void Items_outside_the_training_data_score_NaN()
    {
        var model = DenoisingAutoencoder.Fit(Pattern(), Small with { Epochs = 2 });
        var scores = new double[2];

        model.Score(100, [3, 999], scores);

        double.IsFinite(scores[0]).ShouldBeTrue();
        double.IsNaN(scores[1]).ShouldBeTrue();
    }

    [Fact]
    public void Training_reports_each_epoch_and_stops_when_cancelled()
    {
        var epochs = new List<int>();
        DenoisingAutoencoder.Fit(Pattern(), Small with { Epochs = 3 }, new SynchronousProgress(epochs.Add));
        epochs.ShouldBe([1, 2, 3]);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Should.Throw<OperationCanceledException>(() => DenoisingAutoencoder.Fit(Pattern(), Small, cancellationToken: cancelled.Token));
    }

    [Theory]
    [InlineData(0, 10, 0.01, 0.5, 0.0)]
    [InlineData(8, 0, 0.01, 0.5, 0.0)]
    [InlineData(8, 10, double.NaN, 0.5, 0.0)]
    [InlineData(8, 10, 0.01, 1.0, 0.0)]
    [InlineData(8, 10, 0.01, 0.5, double.NaN)]
    public void Invalid_options_are_rejected(int hidden, int epochs, double rate, double dropout, double regularization)
    {
        var options = new AutoencoderOptions { Hidden = hidden, Epochs = epochs, LearningRate = rate, Dropout = dropout, Regularization = regularization };

        Should.Throw<ArgumentException>(() => DenoisingAutoencoder.Fit(Pattern(), options)).ParamName.ShouldBe("options");
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
