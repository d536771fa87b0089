using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>How a logistic regression is fitted. Defaults follow scikit-learn's LogisticRegression (C = 1, lbfgs).</summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>Inverse L2 strength, as scikit-learn's C: the objective is ½‖w‖² + C·Σ log-loss (the intercept is not penalised).</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Standardise each feature to mean 0 and standard deviation 1 before fitting (the penalty then treats features alike).</summary>
    public bool Standardise { get; init; } = true;

    /// <summary>Stop when the largest gradient component of the mean loss falls below this.</summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>Most L-BFGS iterations.</summary>
    public int MaxIterations { get; init; } = 2000;

    internal void Check()
    {
        if (!(C > 0) || double.IsInfinity(C)) throw new ArgumentException($"LogisticRegressionOptions.C must be a finite number > 0, was {C}.");
        if (!(Tolerance > 0)) throw new ArgumentException($"LogisticRegressionOptions.Tolerance must be > 0, was {Tolerance}.");
        if (MaxIterations < 1) throw new ArgumentException($"LogisticRegressionOptions.MaxIterations must be ≥ 1, was {MaxIterations}.");
    }
}

/// <summary>
/// L2-regularised logistic regression: one weight vector for two classes, softmax (multinomial) weights for more,
/// fitted by L-BFGS on standardised features. Explains a prediction by coefficient × standardised value per feature.
/// </summary>
public sealed class LogisticRegression : IClassifier
{
    private readonly double[] _weights; // rows × (features + 1), intercept last, on the standardised scale
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly string[] _names;
    private readonly int _rowsOfWeights;

    private LogisticRegression(double[] weights, double[] means, double[] scales, string[] names, int classCount, int iterations, bool converged)
    {
        this._weights = weights;
        this._means = means;
        this._scales = scales;
        this._names = names;
        ClassCount = classCount;
        _rowsOfWeights = classCount == 2 ? 1 : classCount;
        Iterations = iterations;
        Converged = converged;
    }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public int FeatureCount => _means.Length;

    /// <summary>L-BFGS iterations used.</summary>
    public int Iterations { get; }

    /// <summary>Whether the gradient tolerance was reached within the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>
    /// Fits on <paramref name="x"/> (numeric columns only: one-hot categorical ones first with <see cref="OneHot"/>)
    /// and class codes <paramref name="labels"/>. Both classes of a binary problem must be present.
    /// </summary>
    public static LogisticRegression Fit(FeatureMatrix x, ReadOnlySpan<int> labels, LogisticRegressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new LogisticRegressionOptions();
        options.Check();
        var classCount = ClassCodes.Check(labels, x.Rows, "LogisticRegression.Fit");
        for (var f = 0; f < x.Columns; f++)
            if (x.Kinds[f] != FeatureKind.Numeric)
                throw new ArgumentException($"LogisticRegression.Fit: column '{x.Names[f]}' is categorical; expand it with OneHot.Expand first.", nameof(x));
        var seen = new bool[classCount];
        foreach (var label in labels) seen[label] = true;
        if (Array.IndexOf(seen, false) >= 0)
            throw new ArgumentException($"LogisticRegression.Fit: class {Array.IndexOf(seen, false)} has no rows; every class 0..{classCount - 1} needs examples.", nameof(labels));

        var (rows, columns) = (x.Rows, x.Columns);
        var means = new double[columns];
        var scales = new double[columns];
        Array.Fill(scales, 1.0);
        if (options.Standardise)
        {
            for (var r = 0; r < rows; r++) VectorMath.AddScaled(means, x.Row(r), 1.0 / rows);
            for (var f = 0; f < columns; f++)
            {
                double sum = 0;
                for (var r = 0; r < rows; r++) { var d = x[r, f] - means[f]; sum += d * d; }
                var sd = Math.Sqrt(sum / rows);
                // A constant column carries no information; leaving its scale at 1 keeps it at 0 after centring.
                scales[f] = sd > 1e-12 * Math.Max(1, Math.Abs(means[f])) ? sd : 1;
            }
        }
        var z = new double[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var f = 0; f < columns; f++) z[r * columns + f] = (x[r, f] - means[f]) / scales[f];

        var y = labels.ToArray();
        var width = columns + 1;
        var outputs = classCount == 2 ? 1 : classCount;
        var theta = new double[outputs * width];
        // Dividing the objective by C·n leaves the optimum where it is and makes the tolerance independent of n.
        var penalty = 1.0 / (options.C * rows);
        var scores = new double[rows * outputs];
        Objective objective = classCount == 2
            ? (w, g) => BinaryLoss(w, g, z, y, rows, columns, penalty, scores)
            : (w, g) => SoftmaxLoss(w, g, z, y, rows, columns, outputs, penalty, scores);
        var result = Lbfgs.Minimise(objective, theta, options.Tolerance, options.MaxIterations, cancellationToken: cancellationToken);
        return new LogisticRegression(theta, means, scales, [.. x.Names], classCount, result.Iterations, result.Converged);
    }

    /// <summary>
    /// Coefficients on the original feature scale, one row per class (a single row, for class 1, when there are two
    /// classes, as scikit-learn reports them).
    /// </summary>
    public double[][] Coefficients()
    {
        var result = new double[_rowsOfWeights][];
        for (var k = 0; k < _rowsOfWeights; k++)
        {
            result[k] = new double[FeatureCount];
            for (var f = 0; f < FeatureCount; f++) result[k][f] = _weights[k * (FeatureCount + 1) + f] / _scales[f];
        }
        return result;
    }

    /// <summary>Intercepts on the original feature scale, one per row of <see cref="Coefficients"/>.</summary>
    public double[] Intercepts()
    {
        var result = new double[_rowsOfWeights];
        for (var k = 0; k < _rowsOfWeights; k++)
        {
            var b = _weights[k * (FeatureCount + 1) + FeatureCount];
            for (var f = 0; f < FeatureCount; f++) b -= _weights[k * (FeatureCount + 1) + f] * _means[f] / _scales[f];
            result[k] = b;
        }
        return result;
    }

    /// <summary>Coefficients on the standardised scale (change in log-odds per standard deviation): comparable across features.</summary>
    public double[][] StandardisedCoefficients()
    {
        var result = new double[_rowsOfWeights][];
        for (var k = 0; k < _rowsOfWeights; k++) result[k] = _weights.AsSpan(k * (FeatureCount + 1), FeatureCount).ToArray();
        return result;
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<double> row, Span<double> probabilities)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "LogisticRegression.PredictProbabilities");
        if (probabilities.Length != ClassCount) throw new ArgumentException($"LogisticRegression.PredictProbabilities: {probabilities.Length} slots for {ClassCount} classes.", nameof(probabilities));
        if (ClassCount == 2)
        {
            var p = Sigmoid(Score(row, 0));
            probabilities[0] = 1 - p;
            probabilities[1] = p;
            return;
        }
        var max = double.NegativeInfinity;
        for (var k = 0; k < ClassCount; k++) max = Math.Max(max, probabilities[k] = Score(row, k));
        double sum = 0;
        for (var k = 0; k < ClassCount; k++) sum += probabilities[k] = Math.Exp(probabilities[k] - max);
        for (var k = 0; k < ClassCount; k++) probabilities[k] /= sum;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The prediction explained is the log-odds of class 1 (two classes) or the linear score of the class (softmax
    /// logit); the baseline is the intercept, the score of an example at the training means.
    /// </remarks>
    public Explanation Explain(ReadOnlySpan<double> row, int classIndex = 1)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "LogisticRegression.Explain");
        ClassifierScoring.CheckClass(classIndex, ClassCount, "LogisticRegression.Explain");
        var (k, sign) = ClassCount == 2 ? (0, classIndex == 1 ? 1.0 : -1.0) : (classIndex, 1.0);
        var contributions = new double[FeatureCount];
        var w = _weights.AsSpan(k * (FeatureCount + 1), FeatureCount + 1);
        for (var f = 0; f < FeatureCount; f++) contributions[f] = sign * w[f] * (row[f] - _means[f]) / _scales[f];
        return new Explanation(sign * w[FeatureCount], sign * Score(row, k), Explanation.Rank(contributions, _names), []);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Score(ReadOnlySpan<double> row, int k)
    {
        var w = _weights.AsSpan(k * (FeatureCount + 1), FeatureCount + 1);
        var s = w[FeatureCount];
        for (var f = 0; f < FeatureCount; f++) s += w[f] * (row[f] - _means[f]) / _scales[f];
        return s;
    }

    internal static double Sigmoid(double s) => s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));

    /// <summary>log(1 + e^s) without overflow.</summary>
    internal static double Softplus(double s) => s > 0 ? s + double.LogP1(Math.Exp(-s)) : double.LogP1(Math.Exp(s));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BinaryLoss(ReadOnlySpan<double> theta, Span<double> gradient, double[] z, int[] y, int rows, int columns, double penalty, double[] residuals)
    {
        var w = theta[..columns];
        var b = theta[columns];
        double loss = 0;
        for (var r = 0; r < rows; r++)
        {
            var s = b + VectorMath.Dot(z.AsSpan(r * columns, columns), w);
            loss += Softplus(s) - (y[r] == 1 ? s : 0);
            residuals[r] = Sigmoid(s) - (y[r] == 1 ? 1 : 0);
        }
        gradient.Clear();
        double gb = 0;
        for (var r = 0; r < rows; r++)
        {
            VectorMath.AddScaled(gradient[..columns], z.AsSpan(r * columns, columns), residuals[r] / rows);
            gb += residuals[r];
        }
        gradient[columns] = gb / rows;
        double square = 0;
        for (var f = 0; f < columns; f++)
        {
            square += w[f] * w[f];
            gradient[f] += penalty * w[f];
        }
        return loss / rows + 0.5 * penalty * square;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SoftmaxLoss(ReadOnlySpan<double> theta, Span<double> gradient, double[] z, int[] y, int rows, int columns, int classes, double penalty, double[] residuals)
    {
        var width = columns + 1;
        double loss = 0;
        for (var r = 0; r < rows; r++)
        {
            var zr = z.AsSpan(r * columns, columns);
            var sr = residuals.AsSpan(r * classes, classes);
            var max = double.NegativeInfinity;
            for (var k = 0; k < classes; k++)
            {
                sr[k] = theta[k * width + columns] + VectorMath.Dot(zr, theta.Slice(k * width, columns));
                max = Math.Max(max, sr[k]);
            }
            double sum = 0;
            for (var k = 0; k < classes; k++) sum += Math.Exp(sr[k] - max);
            var logSum = max + Math.Log(sum);
            loss += logSum - sr[y[r]];
            for (var k = 0; k < classes; k++) sr[k] = Math.Exp(sr[k] - logSum) - (y[r] == k ? 1 : 0);
        }
        gradient.Clear();
        for (var r = 0; r < rows; r++)
        {
            var zr = z.AsSpan(r * columns, columns);
            for (var k = 0; k < classes; k++)
            {
                var residual = residuals[r * classes + k] / rows;
                VectorMath.AddScaled(gradient.Slice(k * width, columns), zr, residual);
                gradient[k * width + columns] += residual;
            }
        }
        double square = 0;
        for (var k = 0; k < classes; k++)
            for (var f = 0; f < columns; f++)
            {
                var wf = theta[k * width + f];
                square += wf * wf;
                gradient[k * width + f] += penalty * wf;
            }
        return loss / rows + 0.5 * penalty * square;
    }
}
