namespace SmartCrm.Analytics.Classification;

/// <summary>How a random forest is grown. Defaults follow scikit-learn's RandomForestClassifier.</summary>
public sealed record RandomForestOptions
{
    /// <summary>Number of trees.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Features tried at each split (null: √features, rounded down, at least 1).</summary>
    public int? MaxFeatures { get; init; }

    /// <summary>Options of each tree (depth, leaf size, criterion); its MaxFeatures and Seed are set by the forest.</summary>
    public DecisionTreeOptions Tree { get; init; } = DecisionTreeOptions.Cart;

    /// <summary>Seed for the bootstrap samples and feature draws.</summary>
    public int Seed { get; init; }

    /// <summary>Trees grown at once (1 keeps the run on one core).</summary>
    public int Parallelism { get; init; } = 1;
}

/// <summary>
/// Breiman's random forest: trees grown on bootstrap samples with a random subset of features tried at each split;
/// the probability is the mean of the trees' leaf frequencies. Explains by the mean of the trees' Saabas contributions.
/// </summary>
public sealed class RandomForest : IClassifier
{
    private readonly DecisionTree[] _trees;
    private readonly string[] _names;

    private RandomForest(DecisionTree[] trees, string[] names, int classCount)
    {
        this._trees = trees;
        this._names = names;
        ClassCount = classCount;
    }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public int FeatureCount => _names.Length;

    /// <summary>Number of trees.</summary>
    public int TreeCount => _trees.Length;

    /// <summary>Grows the forest on <paramref name="x"/> with class codes <paramref name="labels"/>.</summary>
    public static RandomForest Fit(FeatureMatrix x, ReadOnlySpan<int> labels, RandomForestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new RandomForestOptions();
        if (options.Trees < 1) throw new ArgumentException($"RandomForestOptions.Trees must be ≥ 1, was {options.Trees}.", nameof(options));
        if (options.Parallelism < 1) throw new ArgumentException($"RandomForestOptions.Parallelism must be ≥ 1, was {options.Parallelism}.", nameof(options));
        var classCount = ClassCodes.Check(labels, x.Rows, "RandomForest.Fit");
        var maxFeatures = options.MaxFeatures ?? Math.Max(1, (int)Math.Sqrt(x.Columns));
        var y = labels.ToArray();
        var seeds = new int[options.Trees];
        var random = new Random(options.Seed);
        for (var t = 0; t < seeds.Length; t++) seeds[t] = random.Next();
        var trees = new DecisionTree[options.Trees];
        var presorted = new PresortedFeatures(x);
        Parallel.For(0, options.Trees, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, t =>
        {
            var draw = new Random(seeds[t]);
            var weights = new double[x.Rows];
            for (var i = 0; i < x.Rows; i++) weights[draw.Next(x.Rows)]++;
            var treeOptions = options.Tree with { MaxFeatures = maxFeatures, Seed = draw.Next(), CostComplexityAlpha = 0 };
            trees[t] = DecisionTree.Fit(x, y, treeOptions, weights, classCount, presorted);
        });
        return new RandomForest(trees, [.. x.Names], classCount);
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<double> row, Span<double> probabilities)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "RandomForest.PredictProbabilities");
        if (probabilities.Length != ClassCount) throw new ArgumentException($"RandomForest.PredictProbabilities: {probabilities.Length} slots for {ClassCount} classes.", nameof(probabilities));
        probabilities.Clear();
        foreach (var tree in _trees)
        {
            var leaf = tree.LeafValues(row);
            for (var k = 0; k < ClassCount; k++) probabilities[k] += leaf[k];
        }
        for (var k = 0; k < ClassCount; k++) probabilities[k] /= _trees.Length;
    }

    /// <inheritdoc/>
    public Explanation Explain(ReadOnlySpan<double> row, int classIndex = 1)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "RandomForest.Explain");
        ClassifierScoring.CheckClass(classIndex, ClassCount, "RandomForest.Explain");
        var byFeature = new double[FeatureCount];
        double baseline = 0, prediction = 0;
        foreach (var tree in _trees)
        {
            prediction += tree.AddContributions(row, classIndex, byFeature);
            baseline += tree.RootValue(classIndex);
        }
        for (var f = 0; f < byFeature.Length; f++) byFeature[f] /= _trees.Length;
        return new Explanation(baseline / _trees.Length, prediction / _trees.Length, Explanation.Rank(byFeature, _names), []);
    }
}
