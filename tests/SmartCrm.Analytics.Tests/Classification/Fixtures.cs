using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

/// <summary>Small data sets whose answers were worked out by hand or printed by scikit-learn 1.2 on the same numbers.</summary>
internal static class Fixtures
{
    /// <summary>
    /// 40 rows, 3 distinct-valued numeric features built from modular arithmetic (the same formulas in Python gave
    /// the scikit-learn figures the tests compare with); Binary is a noisy linear rule, ThreeClass a second rule cut in three.
    /// </summary>
    public static (FeatureMatrix X, int[] Binary, int[] ThreeClass) Synthetic()
    {
        const int n = 40;
        var values = new double[n * 3];
        var binary = new int[n];
        var three = new int[n];
        for (var i = 0; i < n; i++)
        {
            var x0 = (i * 37 % 41) / 41.0 * 10;
            var x1 = ((i * 53 + 7) % 43) / 43.0 * 5;
            var x2 = ((i * 29 + 3) % 47) / 47.0;
            (values[i * 3], values[i * 3 + 1], values[i * 3 + 2]) = (x0, x1, x2);
            var s = x0 + 3 * x1 - 8 * x2 + (i * 11 % 7 - 3) * 1.5;
            binary[i] = s > 8 ? 1 : 0;
            var t = x0 - 2 * x1 + 3 * x2 + (i * 5 % 3 - 1) * 0.7;
            three[i] = t < -1 ? 0 : t < 3 ? 1 : 2;
        }
        return (new FeatureMatrix(values, n, 3), binary, three);
    }

    /// <summary>Quinlan's play-tennis days: outlook (sunny 0, overcast 1, rain 2), temperature (hot 0, mild 1, cool 2), humidity (high 0, normal 1), wind (weak 0, strong 1); play no 0 / yes 1.</summary>
    public static (FeatureMatrix X, int[] Play) PlayTennis()
    {
        int[,] days =
        {
            { 0, 0, 0, 0, 0 }, { 0, 0, 0, 1, 0 }, { 1, 0, 0, 0, 1 }, { 2, 1, 0, 0, 1 }, { 2, 2, 1, 0, 1 },
            { 2, 2, 1, 1, 0 }, { 1, 2, 1, 1, 1 }, { 0, 1, 0, 0, 0 }, { 0, 2, 1, 0, 1 }, { 2, 1, 1, 0, 1 },
            { 0, 1, 1, 1, 1 }, { 1, 1, 0, 1, 1 }, { 1, 0, 1, 0, 1 }, { 2, 1, 0, 1, 0 },
        };
        var values = new double[14 * 4];
        var play = new int[14];
        for (var d = 0; d < 14; d++)
        {
            for (var f = 0; f < 4; f++) values[d * 4 + f] = days[d, f];
            play[d] = days[d, 4];
        }
        return (new FeatureMatrix(values, 14, 4, Enumerable.Repeat(FeatureKind.Categorical, 4).ToArray(), ["outlook", "temperature", "humidity", "wind"]), play);
    }

    /// <summary>Points off the training grid used to compare predictions with scikit-learn's.</summary>
    public static readonly double[][] Probes = [[2.0, 1.0, 0.5], [8.0, 4.0, 0.1], [5.0, 2.5, 0.9], [6.0, 3.0, 0.3]];
}
