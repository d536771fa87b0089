using SmartCrm.Analytics.Tests.Classification;
using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

public class SparseLogisticRegressionTests
{
    [Fact]
    public void Softmax_weights_match_the_exact_optimum_scikit_learn_approaches()
    {
        var (_, _, three) = Fixtures.Synthetic();

        var model = SparseLogisticRegression.Fit(LinearSvmTests.StandardisedSynthetic(), three, new SparseLogisticRegressionOptions { C = 0.5, Tolerance = 1e-10, MaxIterations = 1000 });

        // Exact optimum from scipy (see LogisticRegressionTests); inputs here are float32, hence the looser tolerance.
        var row = new CsrMatrix(1, 3, [0, 3], [0, 1, 2], [0f, 0f, 0f]).Row(0);
        var scores = new double[3];
        model.Scores(row, scores);
        scores.ShouldBe([-0.6707352975255214, 0.70455767667799, -0.03382237915246925], 1e-5);
        var unit = new CsrMatrix(1, 3, [0, 1], [0], [1f]).Row(0);
        model.Scores(unit, scores);
        scores.ShouldBe([-0.6707352975255214 - 1.2410491577912957, 0.70455767667799 - 0.041044694241218385, -0.03382237915246925 + 1.2820938520325142], 1e-5);
        model.Probabilities(unit).Sum().ShouldBe(1, 1e-12);
    }
}
