using System.Runtime.CompilerServices;
using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Text;

/// <summary>How a multinomial logistic regression on sparse rows is fitted (scikit-learn's LogisticRegression defaults: C = 1, lbfgs).</summary>
public sealed record SparseLogisticRegressionOptions
{
    /// <summary>Inverse L2 strength: the objective is ½‖W‖² + C·Σ cross-entropy (intercepts not penalised).</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Stop when the largest gradient component of the mean loss falls below this.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Most L-BFGS iterations.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>L-BFGS correction pairs kept (each costs two vectors of classes × features).</summary>
    public int Memory { get; init; } = 5;

    internal void Check()
    {
        if (!(C > 0) || double.IsInfinity(C)) throw new ArgumentException($"SparseLogisticRegressionOptions.C must be a finite number > 0, was {C}.");
        if (!(Tolerance > 0)) throw new ArgumentException($"SparseLogisticRegressionOptions.Tolerance must be > 0, was {Tolerance}.");
        if (MaxIterations < 1) throw new ArgumentException($"SparseLogisticRegressionOptions.MaxIterations must be ≥ 1, was {MaxIterations}.");
        if (Memory < 1) throw new ArgumentException($"SparseLogisticRegressionOptions.Memory must be ≥ 1, was {Memory}.");
    }
}

/// <summary>
/// Multinomial (softmax) logistic regression with L2 penalty over sparse rows such as TF-IDF vectors, fitted by
/// L-BFGS; gives class probabilities, which a linear SVM does not.
/// </summary>
public sealed class SparseLogisticRegression : ITextClassifier
{
    private readonly double[] _weights; // (FeatureCount + 1) × ClassCount, feature-major; the last row holds the intercepts

    private SparseLogisticRegression(double[] weights, int featureCount, int classCount, int iterations, bool converged)
    {
        this._weights = weights;
        FeatureCount = featureCount;
        ClassCount = classCount;
        Iterations = iterations;
        Converged = converged;
    }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public int FeatureCount { get; }

    /// <summary>L-BFGS iterations used.</summary>
    public int Iterations { get; }

    /// <summary>Whether the tolerance was reached within the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>Fits on the rows of <paramref name="x"/> with class codes <paramref name="labels"/> (0..K−1, at least two classes).</summary>
    public static SparseLogisticRegression Fit(CsrMatrix x, ReadOnlySpan<int> labels, SparseLogisticRegressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SparseLogisticRegressionOptions();
        options.Check();
        var classCount = TextLabels.Check(x, labels, "SparseLogisticRegression.Fit");
        var y = labels.ToArray();
        var theta = new double[(x.Columns + 1) * classCount];
        var residuals = new double[x.Rows * classCount];
        var penalty = 1.0 / (options.C * x.Rows);
        var result = Lbfgs.Minimise((w, g) => Loss(x, y, classCount, penalty, w, g, residuals), theta, options.Tolerance, options.MaxIterations, options.Memory, cancellationToken);
        return new SparseLogisticRegression(theta, x.Columns, classCount, result.Iterations, result.Converged);
    }

    /// <inheritdoc/>
    /// <remarks>The scores are the softmax logits; <see cref="Probabilities"/> turns them into probabilities.</remarks>
    public void Scores(SparseVector row, Span<double> scores)
    {
        if (scores.Length != ClassCount) throw new ArgumentException($"SparseLogisticRegression.Scores: {scores.Length} slots for {ClassCount} classes.", nameof(scores));
        _weights.AsSpan(FeatureCount * ClassCount, ClassCount).CopyTo(scores);
        for (var p = 0; p < row.Count; p++)
        {
            var j = row.Indices[p];
            if ((uint)j < (uint)FeatureCount) VectorMath.AddScaled(scores, _weights.AsSpan(j * ClassCount, ClassCount), row.Values[p]);
        }
    }

    /// <summary>The probability of each class for one row.</summary>
    public double[] Probabilities(SparseVector row)
    {
        var p = new double[ClassCount];
        Scores(row, p);
        Softmax(p);
        return p;
    }

    private static void Softmax(Span<double> scores)
    {
        var max = double.NegativeInfinity;
        foreach (var s in scores) max = Math.Max(max, s);
        double sum = 0;
        for (var k = 0; k < scores.Length; k++) sum += scores[k] = Math.Exp(scores[k] - max);
        for (var k = 0; k < scores.Length; k++) scores[k] /= sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Loss(CsrMatrix x, int[] y, int classes, double penalty, ReadOnlySpan<double> theta, Span<double> gradient, double[] residuals)
    {
        var features = x.Columns;
        var intercepts = theta.Slice(features * classes, classes);
        double loss = 0;
        var starts = x.RowStarts;
        var indices = x.Indices;
        var values = x.Values;
        var inverseRows = 1.0 / x.Rows;
        for (var r = 0; r < x.Rows; r++)
        {
            var s = residuals.AsSpan(r * classes, classes);
            intercepts.CopyTo(s);
            for (var p = starts[r]; p < starts[r + 1]; p++) VectorMath.AddScaled(s, theta.Slice(indices[p] * classes, classes), values[p]);
            var max = double.NegativeInfinity;
            foreach (var v in s) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in s) sum += Math.Exp(v - max);
            var logSum = max + Math.Log(sum);
            loss += logSum - s[y[r]];
            for (var k = 0; k < classes; k++) s[k] = Math.Exp(s[k] - logSum) * inverseRows;
            s[y[r]] -= inverseRows;
        }
        gradient.Clear();
        var interceptGradient = gradient.Slice(features * classes, classes);
        for (var r = 0; r < x.Rows; r++)
        {
            var s = residuals.AsSpan(r * classes, classes);
            for (var p = starts[r]; p < starts[r + 1]; p++) VectorMath.AddScaled(gradient.Slice(indices[p] * classes, classes), s, values[p]);
            VectorMath.AddScaled(interceptGradient, s, 1);
        }
        var weightsOnly = theta[..(features * classes)];
        VectorMath.AddScaled(gradient[..(features * classes)], weightsOnly, penalty);
        return loss * inverseRows + 0.5 * penalty * VectorMath.Dot(weightsOnly, weightsOnly);
    }
}
