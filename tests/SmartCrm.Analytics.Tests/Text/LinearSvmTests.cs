using SmartCrm.Analytics.Tests.Classification;
using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

public class LinearSvmTests
{
    /// <summary>The synthetic features standardised (population deviation) and stored as dense CSR rows.</summary>
    internal static CsrMatrix StandardisedSynthetic()
    {
        var (x, _, _) = Fixtures.Synthetic();
        var values = new float[x.Rows * 3];
        for (var f = 0; f < 3; f++)
        {
            var column = Enumerable.Range(0, x.Rows).Select(r => x[r, f]).ToArray();
            var mean = column.Average();
            var sd = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / column.Length);
            for (var r = 0; r < x.Rows; r++) values[r * 3 + f] = (float)((column[r] - mean) / sd);
        }
        var starts = Enumerable.Range(0, x.Rows + 1).Select(r => r * 3).ToArray();
        var indices = Enumerable.Range(0, x.Rows * 3).Select(i => i % 3).ToArray();
        return new CsrMatrix(x.Rows, 3, starts, indices, values);
    }

    [Fact]
    public void Binary_weights_match_scikit_learns_linear_svc()
    {
        var (_, y, _) = Fixtures.Synthetic();

        var svm = LinearSvm.Fit(StandardisedSynthetic(), y, new LinearSvmOptions { Tolerance = 1e-10, MaxIterations = 100_000 });

        // LinearSVC(C=1, tol=1e-10).fit(StandardScaler().fit_transform(X), y): coef_ and intercept_.
        svm.WeightsOf(1).ShouldBe([0.39442067445094764, 0.6185295471189165, -0.28539677737336533, 0.0576711733906948], 1e-5);
        svm.WeightsOf(0)[0].ShouldBe(-svm.WeightsOf(1)[0]);
    }

    [Fact]
    public void One_vs_rest_weights_match_scikit_learn_for_three_classes()
    {
        var (_, _, three) = Fixtures.Synthetic();

        var svm = LinearSvm.Fit(StandardisedSynthetic(), three, new LinearSvmOptions { C = 0.5, Tolerance = 1e-10, MaxIterations = 100_000 });

        double[][] expected =
        [
            [-1.0590903986286426, 0.8995680463184236, -0.47573240626798113, -1.0297044541143072],
            [-0.09730563223705042, 0.18503491153094326, -0.007931005007425395, -0.1463414634099081],
            [1.1177475186114176, -1.1718698332811133, 0.48908175589265446, -0.6134738852261404],
        ];
        for (var k = 0; k < 3; k++) svm.WeightsOf(k).ShouldBe(expected[k], 1e-5);
    }

    [Fact]
    public void Separable_classes_are_predicted_back()
    {
        var (vectoriser, x) = TfidfVectoriser.FitTransform(
            ["card lost", "lost my card", "card stolen", "refund please", "want a refund", "refund my order", "pin blocked", "blocked pin code"],
            new Tokeniser(TermKind.Words));
        int[] y = [0, 0, 0, 1, 1, 1, 2, 2];

        var svm = LinearSvm.Fit(x, y);

        svm.Predict(x).ShouldBe(y);
        svm.Predict(vectoriser.Transform("please refund").Row(0)).ShouldBe(1);
        svm.Iterations.Count.ShouldBe(3);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        var x = new CsrMatrix(2, 1, [0, 1, 2], [0, 0], [1f, 2f]);

        Should.Throw<ArgumentException>(() => LinearSvm.Fit(x, [0, 0])).Message.ShouldContain("at least two classes");
        Should.Throw<ArgumentException>(() => LinearSvm.Fit(x, [0, 1, 1])).Message.ShouldContain("3 labels for 2 rows");
        Should.Throw<ArgumentException>(() => LinearSvm.Fit(x, [0, 1], new LinearSvmOptions { C = -1 })).Message.ShouldContain("C must be");
        Should.Throw<ArgumentException>(() => LinearSvm.Fit(new CsrMatrix(0, 1, [0], [], []), [])).Message.ShouldContain("no training rows");
    }
}
