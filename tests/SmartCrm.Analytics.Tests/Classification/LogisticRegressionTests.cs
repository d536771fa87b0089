using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

public class LogisticRegressionTests
{
    [Fact]
    public void Binary_coefficients_match_scikit_learn_on_standardised_features()
    {
        var (x, y, _) = Fixtures.Synthetic();

        var model = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { Tolerance = 1e-12 });

        // The exact optimum of ½‖w‖² + C·Σ log-loss on StandardScaler(X), C = 1, solved by scipy to gradient 1e-8.
        model.Converged.ShouldBeTrue();
        var coefficients = model.StandardisedCoefficients()[0];
        coefficients.ShouldBe([0.8546300247458903, 1.2332673512785695, -0.4977682463889852], 1e-7);
        model.Explain(Fixtures.Probes[0]).Baseline.ShouldBe(0.12340717199802899, 1e-7);
        // scikit-learn 1.2's own LogisticRegression(tol=1e-12) stops on its ftol a little short of that optimum.
        coefficients.ShouldBe([0.8546289344899519, 1.2332676413495487, -0.4977691005124494], 1e-5);
    }

    [Fact]
    public void Multinomial_coefficients_match_scikit_learn()
    {
        var (x, _, three) = Fixtures.Synthetic();

        var model = LogisticRegression.Fit(x, three, new LogisticRegressionOptions { C = 0.5, Tolerance = 1e-12 });

        // Exact optimum of the softmax objective (scipy, gradient 5e-9); scikit-learn 1.2 agrees to 2e-5.
        var exact = new[]
        {
            new[] { -1.2410491577912957, 0.9799493807748064, -0.4176776368685613 },
            [-0.041044694241218385, 0.1842462321279677, 0.002394420149292793],
            [1.2820938520325142, -1.1641956129027744, 0.4152832167192685],
        };
        var scikitLearn = new[]
        {
            new[] { -1.2410457425280377, 0.9799351718594256, -0.41765431508720063 },
            [-0.04104954243855729, 0.18426225701241408, 0.0023893682852917804],
            [1.2820952849665948, -1.1641974288718397, 0.4152649468019091],
        };
        var coefficients = model.StandardisedCoefficients();
        for (var k = 0; k < 3; k++)
        {
            coefficients[k].ShouldBe(exact[k], 1e-7);
            coefficients[k].ShouldBe(scikitLearn[k], 5e-5);
        }
        double[] intercepts = [-0.6707352975255214, 0.70455767667799, -0.03382237915246925];
        for (var k = 0; k < 3; k++) model.Explain(Fixtures.Probes[0], k).Baseline.ShouldBe(intercepts[k], 1e-7);
    }

    [Fact]
    public void Original_scale_coefficients_give_the_same_scores_as_the_standardised_ones()
    {
        var (x, y, _) = Fixtures.Synthetic();
        var model = LogisticRegression.Fit(x, y);

        var w = model.Coefficients()[0];
        var b = model.Intercepts()[0];

        foreach (var probe in Fixtures.Probes)
        {
            var logOdds = b + w[0] * probe[0] + w[1] * probe[1] + w[2] * probe[2];
            model.PredictProbabilities(probe)[1].ShouldBe(1 / (1 + Math.Exp(-logOdds)), 1e-12);
            var e = model.Explain(probe);
            e.Prediction.ShouldBe(logOdds, 1e-9);
            (e.Baseline + e.Contributions.Sum(c => c.Contribution)).ShouldBe(logOdds, 1e-9);
        }
    }

    [Fact]
    public void Probabilities_of_all_classes_sum_to_one()
    {
        var (x, _, three) = Fixtures.Synthetic();
        var model = LogisticRegression.Fit(x, three);

        foreach (var probe in Fixtures.Probes) model.PredictProbabilities(probe).Sum().ShouldBe(1, 1e-12);
    }

    [Fact]
    public void Separable_data_stays_finite_and_a_constant_column_gets_no_weight()
    {
        var x = FeatureMatrix.FromRows([[0.0, 7], [1.0, 7], [2.0, 7], [3.0, 7]]);

        var model = LogisticRegression.Fit(x, [0, 0, 1, 1]);

        double.IsFinite(model.Coefficients()[0][0]).ShouldBeTrue();
        model.Coefficients()[0][1].ShouldBe(0);
        model.Predict([0.0, 7]).ShouldBe(0);
        model.Predict([3.0, 7]).ShouldBe(1);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        var x = FeatureMatrix.FromRows([[0.0], [1.0]]);

        Should.Throw<ArgumentException>(() => LogisticRegression.Fit(x, [1, 1])).Message.ShouldContain("class 0 has no rows");
        Should.Throw<ArgumentException>(() => LogisticRegression.Fit(x, [0, 1], new LogisticRegressionOptions { C = 0 })).Message.ShouldContain("C must be");
        var categorical = new FeatureMatrix([0, 1], 2, 1, [FeatureKind.Categorical], ["plan"]);
        Should.Throw<ArgumentException>(() => LogisticRegression.Fit(categorical, [0, 1])).Message.ShouldContain("OneHot");
        var model = LogisticRegression.Fit(x, [0, 1]);
        Should.Throw<ArgumentException>(() => model.Predict([double.NaN])).Message.ShouldContain("LogisticRegression");
        Should.Throw<ArgumentOutOfRangeException>(() => model.Explain([0.5], 2));
    }
}
