using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>How boosted trees are grown. Defaults follow scikit-learn's GradientBoostingClassifier (100 trees of depth 3, rate 0.1).</summary>
public sealed record GradientBoostingOptions
{
    /// <summary>Number of boosting rounds (trees).</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Shrinkage: each tree's output is multiplied by this.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Deepest level of a tree (the root is level 0).</summary>
    public int MaxDepth { get; init; } = 3;

    /// <summary>Most leaves per tree; trees grow best-first up to this (null: only <see cref="MaxDepth"/> limits them).</summary>
    public int? MaxLeaves { get; init; }

    /// <summary>No split may leave fewer examples than this in a child.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>No split may leave less Hessian (Σ p(1−p)) than this in a child.</summary>
    public double MinHessianLeaf { get; init; } = 1e-3;

    /// <summary>L2 penalty on leaf values (λ in XGBoost's gain and leaf formulas).</summary>
    public double L2 { get; init; }

    /// <summary>Share of rows drawn, without replacement, for each tree (stochastic gradient boosting when below 1).</summary>
    public double Subsample { get; init; } = 1.0;

    /// <summary>Most histogram bins per numeric feature (at most 255).</summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>Smoothing added to the Hessian when categories are ordered by gradient ratio (LightGBM's cat_smooth).</summary>
    public double CategorySmoothing { get; init; } = 10;

    /// <summary>Seed for row subsampling.</summary>
    public int Seed { get; init; }

    internal void Check()
    {
        if (Trees < 1) throw new ArgumentException($"GradientBoostingOptions.Trees must be ≥ 1, was {Trees}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"GradientBoostingOptions.LearningRate must be > 0, was {LearningRate}.");
        if (MaxDepth < 1) throw new ArgumentException($"GradientBoostingOptions.MaxDepth must be ≥ 1, was {MaxDepth}.");
        if (MaxLeaves is < 2) throw new ArgumentException($"GradientBoostingOptions.MaxLeaves must be ≥ 2, was {MaxLeaves}.");
        if (MinSamplesLeaf < 1) throw new ArgumentException($"GradientBoostingOptions.MinSamplesLeaf must be ≥ 1, was {MinSamplesLeaf}.");
        if (!(L2 >= 0)) throw new ArgumentException($"GradientBoostingOptions.L2 must be ≥ 0, was {L2}.");
        if (!(Subsample > 0 && Subsample <= 1)) throw new ArgumentException($"GradientBoostingOptions.Subsample must be in (0, 1], was {Subsample}.");
        if (MaxBins is < 2 or > 255) throw new ArgumentException($"GradientBoostingOptions.MaxBins must be in 2..255, was {MaxBins}.");
    }
}

/// <summary>
/// Gradient-boosted trees for two classes: log-loss, Newton leaf values, shrinkage and row subsampling, trees grown on
/// feature histograms (LightGBM / HistGradientBoosting style, with the sibling histogram got by subtraction).
/// Categorical features split natively into two sets of categories. Explains a prediction in log-odds by Saabas
/// contributions summed over the trees.
/// </summary>
public sealed class GradientBoostedTrees : IClassifier
{
    private readonly BoostedTree[] _trees;
    private readonly string[] _names;

    private GradientBoostedTrees(double baseline, BoostedTree[] trees, string[] names)
    {
        Baseline = baseline;
        this._trees = trees;
        this._names = names;
    }

    /// <inheritdoc/>
    public int ClassCount => 2;

    /// <inheritdoc/>
    public int FeatureCount => _names.Length;

    /// <summary>The log-odds every example starts from: log(p / (1 − p)) of the training share of class 1.</summary>
    public double Baseline { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => _trees.Length;

    /// <summary>Fits on <paramref name="x"/> with labels 0 and 1 (both must be present).</summary>
    public static GradientBoostedTrees Fit(FeatureMatrix x, ReadOnlySpan<int> labels, GradientBoostingOptions? options = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new GradientBoostingOptions();
        options.Check();
        var classCount = ClassCodes.Check(labels, x.Rows, "GradientBoostedTrees.Fit");
        if (classCount != 2) throw new ArgumentException($"GradientBoostedTrees.Fit: labels must be 0 or 1, found class {classCount - 1}.", nameof(labels));
        var positives = 0;
        foreach (var label in labels) positives += label;
        if (positives == 0 || positives == x.Rows)
            throw new ArgumentException("GradientBoostedTrees.Fit: both classes 0 and 1 need rows.", nameof(labels));

        var rows = x.Rows;
        var bins = new FeatureBins(x, options.MaxBins);
        var binned = bins.Bin(x);
        var y = labels.ToArray();
        var share = (double)positives / rows;
        var baseline = Math.Log(share / (1 - share));
        var raw = new double[rows];
        Array.Fill(raw, baseline);
        var gradients = new double[rows];
        var hessians = new double[rows];
        var random = new Random(options.Seed);
        var all = Enumerable.Range(0, rows).ToArray();
        var inBag = options.Subsample < 1 ? new int[Math.Max(1, (int)(options.Subsample * rows))] : all;
        var grower = new HistogramTreeGrowth(bins, binned, gradients, hessians, options);
        var fitted = new BoostedTree[options.Trees];
        for (var t = 0; t < options.Trees; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LogLossDerivatives(raw, y, gradients, hessians);
            if (options.Subsample < 1)
            {
                random.Shuffle(all);
                Array.Copy(all, inBag, inBag.Length);
                Array.Sort(inBag); // ascending rows read the bin columns in memory order
            }
            var tree = grower.Grow(inBag);
            fitted[t] = tree;
            tree.AddTo(raw, binned);
            progress?.Report(t + 1);
        }
        return new GradientBoostedTrees(baseline, fitted, [.. x.Names]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogLossDerivatives(double[] raw, int[] y, double[] gradients, double[] hessians)
    {
        for (var r = 0; r < raw.Length; r++)
        {
            var p = LogisticRegression.Sigmoid(raw[r]);
            gradients[r] = p - y[r];
            hessians[r] = Math.Max(p * (1 - p), 1e-16);
        }
    }

    /// <summary>The log-odds of class 1 for one example.</summary>
    public double LogOdds(ReadOnlySpan<double> row)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "GradientBoostedTrees.LogOdds");
        var s = Baseline;
        foreach (var tree in _trees) s += tree.ValueOf(row);
        return s;
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<double> row, Span<double> probabilities)
    {
        if (probabilities.Length != 2) throw new ArgumentException($"GradientBoostedTrees.PredictProbabilities: {probabilities.Length} slots for 2 classes.", nameof(probabilities));
        var p = LogisticRegression.Sigmoid(LogOdds(row));
        probabilities[0] = 1 - p;
        probabilities[1] = p;
    }

    /// <inheritdoc/>
    /// <remarks>The prediction explained is the log-odds of <paramref name="classIndex"/> (class 0 gets the negated figures).</remarks>
    public Explanation Explain(ReadOnlySpan<double> row, int classIndex = 1)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "GradientBoostedTrees.Explain");
        ClassifierScoring.CheckClass(classIndex, 2, "GradientBoostedTrees.Explain");
        var sign = classIndex == 1 ? 1.0 : -1.0;
        var byFeature = new double[FeatureCount];
        var baseline = Baseline;
        var prediction = Baseline;
        foreach (var tree in _trees)
        {
            baseline += tree.RootValue;
            prediction += tree.AddContributions(row, byFeature);
        }
        for (var f = 0; f < byFeature.Length; f++) byFeature[f] *= sign;
        return new Explanation(sign * baseline, sign * prediction, Explanation.Rank(byFeature, _names), []);
    }

    /// <summary>Each feature's share of the total split gain over all trees.</summary>
    public double[] FeatureImportances()
    {
        var importance = new double[FeatureCount];
        foreach (var tree in _trees) tree.AddGains(importance);
        var total = importance.Sum();
        if (total > 0) for (var f = 0; f < importance.Length; f++) importance[f] /= total;
        return importance;
    }
}
