using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>A fitted classifier that gives class probabilities and can say why.</summary>
public interface IClassifier
{
    /// <summary>Number of classes (codes 0..ClassCount−1).</summary>
    int ClassCount { get; }

    /// <summary>Number of features a row must have.</summary>
    int FeatureCount { get; }

    /// <summary>Writes the probability of each class for one example into <paramref name="probabilities"/>.</summary>
    void PredictProbabilities(ReadOnlySpan<double> row, Span<double> probabilities);

    /// <summary>Explains the score of class <paramref name="classIndex"/> for one example.</summary>
    Explanation Explain(ReadOnlySpan<double> row, int classIndex = 1);
}

/// <summary>Scoring conveniences every <see cref="IClassifier"/> gets.</summary>
public static class ClassifierScoring
{
    /// <summary>The most probable class of one example (the lowest code on ties).</summary>
    public static int Predict(this IClassifier classifier, ReadOnlySpan<double> row)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        Span<double> p = stackalloc double[classifier.ClassCount];
        classifier.PredictProbabilities(row, p);
        var best = 0;
        for (var k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
        return best;
    }

    /// <summary>The probability of every class for one example.</summary>
    public static double[] PredictProbabilities(this IClassifier classifier, ReadOnlySpan<double> row)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var p = new double[classifier.ClassCount];
        classifier.PredictProbabilities(row, p);
        return p;
    }

    /// <summary>The most probable class of every row of <paramref name="x"/>.</summary>
    public static int[] Predict(this IClassifier classifier, FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(x);
        var result = new int[x.Rows];
        for (var r = 0; r < x.Rows; r++) result[r] = classifier.Predict(x.Row(r));
        return result;
    }

    /// <summary>The probability of class <paramref name="classIndex"/> for every row of <paramref name="x"/> (the score ROC AUC takes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] ProbabilityOf(this IClassifier classifier, FeatureMatrix x, int classIndex = 1)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, classifier.ClassCount);
        var result = new double[x.Rows];
        Span<double> p = stackalloc double[classifier.ClassCount];
        for (var r = 0; r < x.Rows; r++)
        {
            classifier.PredictProbabilities(x.Row(r), p);
            result[r] = p[classIndex];
        }
        return result;
    }

    /// <summary>Throws unless <paramref name="row"/> has <paramref name="columns"/> finite values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CheckRow(ReadOnlySpan<double> row, int columns, string place)
    {
        if (row.Length != columns) throw new ArgumentException($"{place}: the row has {row.Length} features, the model was fitted on {columns}.", nameof(row));
        for (var i = 0; i < row.Length; i++)
            if (!double.IsFinite(row[i])) throw new ArgumentException($"{place}: feature {i} is {row[i]}; impute or drop it first.", nameof(row));
    }

    internal static void CheckClass(int classIndex, int classCount, string place)
    {
        if (classIndex < 0 || classIndex >= classCount)
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"{place}: class code must be in 0..{classCount - 1}.");
    }
}
