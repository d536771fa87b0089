using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Analytics.Tests.Recommendation;

public sealed class RatingPredictorTests
{
    [Fact]
    public void The_table_renumbers_ids_and_keeps_the_last_of_repeated_ratings()
    {
        var table = RatingTable.From([new(10, 7, 2), new(20, 7, 4), new(10, 9, 3), new(10, 7, 5)]);

        table.Count.ShouldBe(3);
        table.UserCount.ShouldBe(2);
        table.ItemCount.ShouldBe(2);
        table.GlobalMean.ShouldBe(4);
        table.RatedBy(10).Order().ShouldBe([7, 9]);
        table.RatedBy(99).ShouldBeEmpty();
        table.UserIndex(99).ShouldBe(-1);
    }

    [Fact]
    public void No_ratings_are_rejected()
    {
        Should.Throw<ArgumentException>(() => RatingTable.From([])).Message.ShouldContain("No ratings");
    }

    [Fact]
    public void A_rating_that_is_not_finite_is_rejected()
    {
        Should.Throw<ArgumentException>(() => RatingTable.From([new(1, 1, 4), new(2, 3, double.NaN)])).Message.ShouldContain("user 2, item 3");
    }

    [Fact]
    public void Baseline_biases_match_one_hand_worked_pass()
    {
        // Mean 4. Items first: b_1 = (1 + 0) / 2 = 0.5, b_2 = −1 / 1. Then users: b_u1 = (0.5 + 0) / 2 = 0.25, b_u2 = −0.5.
        var table = RatingTable.From([new(1, 1, 5), new(1, 2, 3), new(2, 1, 4)]);

        var model = BaselineModel.Fit(table, new BaselineOptions { Epochs = 1, UserRegularization = 0, ItemRegularization = 0 });

        model.Predict(1, 1).ShouldBe(4.75, tolerance: 1e-12);
        model.Predict(2, 2).ShouldBe(3, tolerance: 1e-12); // 4 − 0.5 − 1 = 2.5, clipped to the lowest rating seen
        model.Predict(99, 2).ShouldBe(3, tolerance: 1e-12);
        model.Predict(99, 99).ShouldBe(4, tolerance: 1e-12);
    }

    [Fact]
    public void Factor_models_beat_the_baseline_on_held_out_ratings_of_a_low_rank_matrix()
    {
        var (train, test) = LowRankRatings(seed: 3);
        var table = RatingTable.From(train);
        var options = new FactorizationOptions { Factors = 8, Epochs = 60, LearningRate = 0.01, Regularization = 0.05, Seed = 2 };

        var baseline = Rmse(BaselineModel.Fit(table, new BaselineOptions()), test);
        var svd = Rmse(MatrixFactorization.Fit(table, options), test);
        var svdPlusPlus = Rmse(SvdPlusPlus.Fit(table, options), test);

        svd.ShouldBeLessThan(baseline * 0.8);
        svdPlusPlus.ShouldBeLessThan(baseline * 0.8);
    }

    [Fact]
    public void Training_error_falls_as_epochs_are_added()
    {
        var (train, _) = LowRankRatings(seed: 5);
        var table = RatingTable.From(train);

        var short_ = Rmse(MatrixFactorization.Fit(table, new FactorizationOptions { Factors = 8, Epochs = 2, LearningRate = 0.01, Seed = 1 }), train);
        var long_ = Rmse(MatrixFactorization.Fit(table, new FactorizationOptions { Factors = 8, Epochs = 40, LearningRate = 0.01, Seed = 1 }), train);

        long_.ShouldBeLessThan(short_);
    }

    [Fact]
    public void The_same_seed_gives_the_same_model()
    {
        var (train, test) = LowRankRatings(seed: 7);
        var table = RatingTable.From(train);
        var options = new FactorizationOptions { Factors = 4, Epochs = 5, Seed = 9 };

        var first = SvdPlusPlus.Fit(table, options);
        var second = SvdPlusPlus.Fit(table, options);

        test.Select(r => first.Predict(r.User, r.Item)).ShouldBe(test.Select(r => second.Predict(r.User, r.Item)));
    }

    [Fact]
    public void Predictions_stay_on_the_rating_scale_and_unknown_users_fall_back_on_biases()
    {
        var (train, _) = LowRankRatings(seed: 8);
        var table = RatingTable.From(train);
        var model = MatrixFactorization.Fit(table, new FactorizationOptions { Factors = 4, Epochs = 10, Seed = 1 });

        for (var item = 0; item < 30; item++)
        {
            var predicted = model.Predict(-1, item);
            predicted.ShouldBeInRange(table.MinRating, table.MaxRating);
        }
        model.Predict(-1, -1).ShouldBe(table.GlobalMean, tolerance: 1e-9);
    }

    [Theory]
    [InlineData(0, 20, 0.005, 0.02)]
    [InlineData(10, 0, 0.005, 0.02)]
    [InlineData(10, 20, 0, 0.02)]
    [InlineData(10, 20, 0.005, -1)]
    public void Invalid_factorisation_options_are_rejected(int factors, int epochs, double rate, double regularization)
    {
        var table = RatingTable.From([new(1, 1, 4)]);
        var options = new FactorizationOptions { Factors = factors, Epochs = epochs, LearningRate = rate, Regularization = regularization };

        Should.Throw<ArgumentException>(() => MatrixFactorization.Fit(table, options)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentException>(() => SvdPlusPlus.Fit(table, options)).ParamName.ShouldBe("options");
    }

    [Fact]
    public void Bias_regularisation_of_its_own_holds_the_biases_without_touching_the_factors_penalty()
    {
        // Item 0 is loved and item 1 hated by everyone: free biases learn that, heavily penalised ones barely move.
        var ratings = new List<Rating>();
        for (var u = 0; u < 30; u++) ratings.AddRange([new(u, 0, 5), new(u, 1, 1), new(u, 2, 3)]);
        var table = RatingTable.From(ratings);
        var free = new FactorizationOptions { Factors = 2, Epochs = 30, LearningRate = 0.01, Regularization = 0.02, InitialDeviation = 0, Seed = 1 };

        var loose = MatrixFactorization.Fit(table, free);
        var held = MatrixFactorization.Fit(table, free with { BiasRegularization = 50 });

        // Unknown users see μ + b_i.
        (loose.Predict(-1, 0) - loose.Predict(-1, 1)).ShouldBeGreaterThan(2);
        (held.Predict(-1, 0) - held.Predict(-1, 1)).ShouldBeLessThan(0.2);
    }

    [Fact]
    public void A_bias_step_of_its_own_sets_how_fast_the_biases_learn()
    {
        var ratings = new List<Rating>();
        for (var u = 0; u < 30; u++) ratings.AddRange([new(u, 0, 5), new(u, 1, 1), new(u, 2, 3)]);
        var table = RatingTable.From(ratings);
        var options = new FactorizationOptions { Factors = 2, Epochs = 3, LearningRate = 0.01, Regularization = 0.02, InitialDeviation = 0, Seed = 1 };

        var slow = MatrixFactorization.Fit(table, options with { BiasLearningRate = 0.0001 });
        var usual = MatrixFactorization.Fit(table, options);

        (slow.Predict(-1, 0) - slow.Predict(-1, 1)).ShouldBeLessThan(0.1);
        (usual.Predict(-1, 0) - usual.Predict(-1, 1)).ShouldBeGreaterThan(0.5);
    }

    [Fact]
    public void Invalid_bias_settings_are_rejected()
    {
        var table = RatingTable.From([new(1, 1, 4)]);

        Should.Throw<ArgumentException>(() => MatrixFactorization.Fit(table, new FactorizationOptions { BiasLearningRate = 0 })).ParamName.ShouldBe("options");
        Should.Throw<ArgumentException>(() => SvdPlusPlus.Fit(table, new FactorizationOptions { BiasRegularization = double.NaN })).ParamName.ShouldBe("options");
    }

    /// <summary>Ratings 1-5 from a rank-2 pattern plus noise, 60 users × 40 items, half observed; one in five held out.</summary>
    internal static (List<Rating> Train, List<Rating> Test) LowRankRatings(int seed)
    {
        var random = new Random(seed);
        var users = Enumerable.Range(0, 60).Select(_ => (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1)).ToArray();
        var items = Enumerable.Range(0, 40).Select(_ => (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1)).ToArray();
        var train = new List<Rating>();
        var test = new List<Rating>();
        for (var u = 0; u < users.Length; u++)
        {
            for (var i = 0; i < items.Length; i++)
            {
                if (random.NextDouble() < 0.5) continue;
                var value = Math.Clamp(3 + 1.5 * (users[u].Item1 * items[i].Item1 + users[u].Item2 * items[i].Item2) * 2 + (random.NextDouble() - 0.5) * 0.4, 1, 5);
                (random.NextDouble() < 0.2 ? test : train).Add(new Rating(u, i, value));
            }
        }
        return (train, test);
    }

    private static double Rmse(IRatingPredictor model, List<Rating> ratings) =>
        Math.Sqrt(ratings.Average(r => Math.Pow(model.Predict(r.User, r.Item) - r.Value, 2)));
}
