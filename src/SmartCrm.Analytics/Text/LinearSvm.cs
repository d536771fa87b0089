using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCrm.Analytics.Text;

/// <summary>How a linear SVM is trained. Defaults are scikit-learn's LinearSVC defaults.</summary>
public sealed record LinearSvmOptions
{
    /// <summary>Cost of margin violations (larger fits the training data harder).</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Stop when the projected-gradient spread of the dual falls below this (liblinear's eps).</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Most passes over the data per class.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Learn an intercept, as a constant extra feature of value <see cref="InterceptScaling"/> (penalised like the rest, as liblinear does).</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>Value of the constant intercept feature.</summary>
    public double InterceptScaling { get; init; } = 1.0;

    /// <summary>Seed for the order in which examples are visited.</summary>
    public int Seed { get; init; }

    /// <summary>One-vs-rest problems solved at once (1 keeps training on one core).</summary>
    public int Parallelism { get; init; } = 1;

    internal void Check()
    {
        if (!(C > 0) || double.IsInfinity(C)) throw new ArgumentException($"LinearSvmOptions.C must be a finite number > 0, was {C}.");
        if (!(Tolerance > 0)) throw new ArgumentException($"LinearSvmOptions.Tolerance must be > 0, was {Tolerance}.");
        if (MaxIterations < 1) throw new ArgumentException($"LinearSvmOptions.MaxIterations must be ≥ 1, was {MaxIterations}.");
        if (Parallelism < 1) throw new ArgumentException($"LinearSvmOptions.Parallelism must be ≥ 1, was {Parallelism}.");
        if (!(InterceptScaling > 0) || double.IsInfinity(InterceptScaling)) throw new ArgumentException($"LinearSvmOptions.InterceptScaling must be > 0, was {InterceptScaling}.");
    }
}

/// <summary>
/// Linear support vector machine with squared hinge loss and L2 penalty, trained one-vs-rest by dual coordinate
/// descent with shrinking (Hsieh et al., ICML 2008), the solver of liblinear and scikit-learn's LinearSVC.
/// With two classes a single weight vector is learnt (class 1 positive).
/// </summary>
public sealed class LinearSvm : ITextClassifier
{
    private readonly float[] _weights; // (FeatureCount + 1) × outputs, feature-major; the last row is the intercept
    private readonly int _outputs;

    private LinearSvm(float[] weights, int featureCount, int classCount, int[] iterations)
    {
        this._weights = weights;
        FeatureCount = featureCount;
        ClassCount = classCount;
        _outputs = classCount == 2 ? 1 : classCount;
        Iterations = iterations;
    }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public int FeatureCount { get; }

    /// <summary>Passes over the data each one-vs-rest problem took.</summary>
    public IReadOnlyList<int> Iterations { get; }

    /// <summary>Trains on the rows of <paramref name="x"/> with class codes <paramref name="labels"/> (0..K−1, at least two classes).</summary>
    public static LinearSvm Fit(CsrMatrix x, ReadOnlySpan<int> labels, LinearSvmOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LinearSvmOptions();
        options.Check();
        var classCount = TextLabels.Check(x, labels, "LinearSvm.Fit");
        var outputs = classCount == 2 ? 1 : classCount;
        var y = labels.ToArray();
        var bias = options.FitIntercept ? options.InterceptScaling : 0;
        var squaredNorms = new double[x.Rows];
        for (var r = 0; r < x.Rows; r++)
        {
            double sum = bias * bias;
            foreach (var v in x.Row(r).Values) sum += (double)v * v;
            squaredNorms[r] = sum;
        }
        var width = x.Columns + 1;
        var weights = new float[width * outputs];
        var iterations = new int[outputs];
        Parallel.For(0, outputs, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, k =>
        {
            var positive = outputs == 1 ? 1 : k;
            var signs = new sbyte[x.Rows];
            for (var r = 0; r < x.Rows; r++) signs[r] = y[r] == positive ? (sbyte)1 : (sbyte)-1;
            var w = new double[width];
            iterations[k] = SolveDual(x, signs, squaredNorms, bias, options, new Random(options.Seed + k), w, cancellationToken);
            for (var j = 0; j < width; j++) weights[j * outputs + k] = (float)w[j];
        });
        return new LinearSvm(weights, x.Columns, classCount, iterations);
    }

    /// <inheritdoc/>
    /// <remarks>With two classes, the score of class 1 is the decision value and class 0 gets its negation.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Scores(SparseVector row, Span<double> scores)
    {
        if (scores.Length != ClassCount) throw new ArgumentException($"LinearSvm.Scores: {scores.Length} slots for {ClassCount} classes.", nameof(scores));
        Span<double> sums = _outputs <= 256 ? stackalloc double[_outputs] : new double[_outputs];
        _weights.AsSpan(FeatureCount * _outputs, _outputs).ToDouble(sums);
        var indices = row.Indices;
        var values = row.Values;
        for (var p = 0; p < indices.Length; p++)
        {
            if ((uint)indices[p] >= (uint)FeatureCount) continue;
            VectorMath.AddScaled(sums, _weights.AsSpan(indices[p] * _outputs, _outputs), values[p]);
        }
        if (_outputs == 1) { scores[0] = -sums[0]; scores[1] = sums[0]; }
        else sums.CopyTo(scores);
    }

    /// <summary>The weight of feature <paramref name="feature"/> for class <paramref name="classIndex"/> (one-vs-rest), without copying them all.</summary>
    public double Weight(int feature, int classIndex)
    {
        if (classIndex < 0 || classIndex >= ClassCount) throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"LinearSvm.Weight: class must be in 0..{ClassCount - 1}.");
        if (feature < 0 || feature >= FeatureCount) throw new ArgumentOutOfRangeException(nameof(feature), feature, $"LinearSvm.Weight: feature must be in 0..{FeatureCount - 1}.");
        return _outputs == 1 ? (classIndex == 0 ? -_weights[feature] : _weights[feature]) : _weights[feature * _outputs + classIndex];
    }

    /// <summary>The weight of every feature for class <paramref name="classIndex"/> (one-vs-rest), the intercept last.</summary>
    public double[] WeightsOf(int classIndex)
    {
        if (classIndex < 0 || classIndex >= ClassCount) throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"LinearSvm.WeightsOf: class must be in 0..{ClassCount - 1}.");
        var sign = _outputs == 1 && classIndex == 0 ? -1 : 1;
        var k = _outputs == 1 ? 0 : classIndex;
        var result = new double[FeatureCount + 1];
        for (var j = 0; j <= FeatureCount; j++) result[j] = sign * _weights[j * _outputs + k];
        return result;
    }

    /// <summary>liblinear's solve_l2r_l1l2_svc for the squared hinge loss: returns the passes made.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SolveDual(CsrMatrix x, sbyte[] y, double[] squaredNorms, double bias, LinearSvmOptions options, Random random, double[] w, CancellationToken cancellationToken)
    {
        var n = x.Rows;
        var diagonal = 0.5 / options.C;
        var alpha = new double[n];
        var index = new int[n];
        var qd = new double[n];
        for (var i = 0; i < n; i++) { index[i] = i; qd[i] = diagonal + squaredNorms[i]; }
        var starts = x.RowStarts;
        ref var column0 = ref MemoryMarshal.GetReference(x.Indices);
        ref var value0 = ref MemoryMarshal.GetReference(x.Values);
        ref var w0 = ref MemoryMarshal.GetArrayDataReference(w);
        var biasAt = w.Length - 1;
        var active = n;
        var maxOld = double.PositiveInfinity;
        var minOld = double.NegativeInfinity;
        var iteration = 0;
        var state = (uint)random.Next() | 1u;
        while (iteration < options.MaxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var maxNew = double.NegativeInfinity;
            var minNew = double.PositiveInfinity;
            for (var i = 0; i < active; i++)
            {
                // xorshift32: the visiting order only needs to be well mixed, not cryptographic.
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                var j = i + (int)((ulong)state * (uint)(active - i) >> 32);
                (index[i], index[j]) = (index[j], index[i]);
            }
            for (var s = 0; s < active; s++)
            {
                var i = index[s];
                var yi = y[i];
                var start = starts[i];
                var end = starts[i + 1];
                var dot = w[biasAt] * bias;
                for (var p = start; p < end; p++) dot += Unsafe.Add(ref w0, Unsafe.Add(ref column0, p)) * Unsafe.Add(ref value0, p);
                var g = yi * dot - 1 + diagonal * alpha[i];
                double pg = 0;
                if (alpha[i] == 0)
                {
                    if (g > maxOld)
                    {
                        // Shrinking: this example sits at its bound and is likely to stay there.
                        active--;
                        (index[s], index[active]) = (index[active], index[s]);
                        s--;
                        continue;
                    }
                    if (g < 0) pg = g;
                }
                else pg = g;
                if (pg > maxNew) maxNew = pg;
                if (pg < minNew) minNew = pg;
                if (Math.Abs(pg) > 1e-12)
                {
                    var old = alpha[i];
                    alpha[i] = Math.Max(old - g / qd[i], 0);
                    var d = (alpha[i] - old) * yi;
                    for (var p = start; p < end; p++) Unsafe.Add(ref w0, Unsafe.Add(ref column0, p)) += d * Unsafe.Add(ref value0, p);
                    w[biasAt] += d * bias;
                }
            }
            iteration++;
            if (maxNew - minNew <= options.Tolerance)
            {
                if (active == n) break;
                active = n;
                maxOld = double.PositiveInfinity;
                minOld = double.NegativeInfinity;
                continue;
            }
            maxOld = maxNew <= 0 ? double.PositiveInfinity : maxNew;
            minOld = minNew >= 0 ? double.NegativeInfinity : minNew;
        }
        return iteration;
    }
}
