using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>The test a tree node applies.</summary>
internal enum SplitKind : byte
{
    Leaf,
    Threshold,
    CategorySet,
    CategoryBranches,
}

/// <summary>One node of a fitted tree. Children and tables are indices into the tree's arrays.</summary>
internal struct TreeNode
{
    public int Feature;
    public SplitKind Kind;
    public double Threshold;
    /// <summary>Left child (threshold and category-set nodes).</summary>
    public int Left;
    /// <summary>Right child (threshold and category-set nodes).</summary>
    public int Right;
    /// <summary>First word of the category mask, or first entry of the branch table (multiway nodes).</summary>
    public int Table;
    /// <summary>Length of the branch table (multiway nodes: largest category code + 1).</summary>
    public int Branches;
    public int Samples;
    public double Weight;
    public double Impurity;
    public double Gain;
}

/// <summary>
/// A classification tree: ID3 (entropy, multiway categorical splits) or CART (Gini, binary splits), grown greedily
/// on presorted feature orders, optionally pruned by minimal cost-complexity. Explains each prediction by its
/// decision path and Saabas per-feature contributions.
/// </summary>
public sealed class DecisionTree : IClassifier
{
    /// <summary>Words of the routing mask (every code, unseen ones included) and, after it, of the mask of left categories seen in training.</summary>
    internal const int MaskWords = 4;

    private readonly TreeNode[] _nodes;
    private readonly double[] _values;
    private readonly ulong[] _masks;
    private readonly int[] _branches;
    private readonly string[] _names;

    internal DecisionTree(TreeNode[] nodes, double[] values, ulong[] masks, int[] branches, int classCount, string[] names)
    {
        this._nodes = nodes;
        this._values = values;
        this._masks = masks;
        this._branches = branches;
        this._names = names;
        ClassCount = classCount;
    }

    /// <summary>
    /// Grows a tree on <paramref name="x"/> with class codes <paramref name="labels"/> (0..K−1) and optional
    /// per-row <paramref name="weights"/> (rows with weight 0 are left out, as a bootstrap sample does).
    /// </summary>
    public static DecisionTree Fit(FeatureMatrix x, ReadOnlySpan<int> labels, DecisionTreeOptions? options = null, ReadOnlySpan<double> weights = default) =>
        Fit(x, labels, options, weights, 0);

    /// <summary>
    /// As the public Fit, with at least <paramref name="minClasses"/> classes (a forest's trees must agree on the count)
    /// and optionally the sort orders of <paramref name="x"/> computed once for many trees.
    /// </summary>
    internal static DecisionTree Fit(FeatureMatrix x, ReadOnlySpan<int> labels, DecisionTreeOptions? options, ReadOnlySpan<double> weights, int minClasses,
        PresortedFeatures? presorted = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= DecisionTreeOptions.Cart;
        options.Check();
        var classCount = Math.Max(minClasses, ClassCodes.Check(labels, x.Rows, "DecisionTree.Fit"));
        if (!weights.IsEmpty)
        {
            if (weights.Length != x.Rows) throw new ArgumentException($"DecisionTree.Fit: {weights.Length} weights for {x.Rows} rows.", nameof(weights));
            var any = false;
            for (var i = 0; i < weights.Length; i++)
            {
                if (!(weights[i] >= 0) || double.IsInfinity(weights[i])) throw new ArgumentException($"DecisionTree.Fit: weight at row {i} is {weights[i]}; weights are finite and ≥ 0.", nameof(weights));
                any |= weights[i] > 0;
            }
            if (!any) throw new ArgumentException("DecisionTree.Fit: every weight is 0.", nameof(weights));
        }
        var tree = new TreeGrowth(presorted ?? new PresortedFeatures(x), labels, weights, classCount, options).Grow();
        return options.CostComplexityAlpha > 0 ? tree.Prune(options.CostComplexityAlpha) : tree;
    }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public int FeatureCount => _names.Length;

    /// <summary>Number of nodes, leaves included.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>Number of leaves.</summary>
    public int LeafCount
    {
        get
        {
            var leaves = 0;
            foreach (var n in _nodes) if (n.Kind == SplitKind.Leaf) leaves++;
            return leaves;
        }
    }

    /// <summary>Length of the longest root-to-leaf path (0 for a single leaf).</summary>
    public int Depth => DepthBelow(0);

    /// <summary>The feature tested at the root, or −1 when the tree is a single leaf.</summary>
    public int RootFeature => _nodes[0].Kind == SplitKind.Leaf ? -1 : _nodes[0].Feature;

    /// <summary>Each feature's share of the total weighted impurity decrease (sums to 1 unless the tree is a leaf).</summary>
    public double[] FeatureImportances()
    {
        var importance = new double[FeatureCount];
        foreach (var n in _nodes) if (n.Kind != SplitKind.Leaf) importance[n.Feature] += n.Gain;
        var total = importance.Sum();
        if (total > 0) for (var f = 0; f < importance.Length; f++) importance[f] /= total;
        return importance;
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<double> row, Span<double> probabilities)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "DecisionTree.PredictProbabilities");
        if (probabilities.Length != ClassCount) throw new ArgumentException($"DecisionTree.PredictProbabilities: {probabilities.Length} slots for {ClassCount} classes.", nameof(probabilities));
        _values.AsSpan(LeafOf(row) * ClassCount, ClassCount).CopyTo(probabilities);
    }

    /// <summary>The tests the example passes on its way from the root to its leaf.</summary>
    public IReadOnlyList<DecisionStep> PathOf(ReadOnlySpan<double> row)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "DecisionTree.PathOf");
        var steps = new List<DecisionStep>();
        Walk(row, steps, null, 0);
        return steps;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Saabas path contributions: each step from a node to its child moves the probability of the class by the
    /// difference of their class frequencies, and that move is credited to the node's feature.
    /// </remarks>
    public Explanation Explain(ReadOnlySpan<double> row, int classIndex = 1)
    {
        ClassifierScoring.CheckRow(row, FeatureCount, "DecisionTree.Explain");
        ClassifierScoring.CheckClass(classIndex, ClassCount, "DecisionTree.Explain");
        var steps = new List<DecisionStep>();
        var byFeature = new double[FeatureCount];
        var leaf = Walk(row, steps, byFeature, classIndex);
        return new Explanation(_values[classIndex], _values[leaf * ClassCount + classIndex], Explanation.Rank(byFeature, _names), steps);
    }

    /// <summary>Adds this tree's Saabas contributions to class <paramref name="classIndex"/> into <paramref name="byFeature"/>; returns the leaf's probability.</summary>
    internal double AddContributions(ReadOnlySpan<double> row, int classIndex, Span<double> byFeature) =>
        _values[Walk(row, null, byFeature, classIndex) * ClassCount + classIndex];

    internal double RootValue(int classIndex) => _values[classIndex];

    internal ReadOnlySpan<double> LeafValues(ReadOnlySpan<double> row) => _values.AsSpan(LeafOf(row) * ClassCount, ClassCount);

    /// <summary>
    /// The minimal cost-complexity pruning sequence (as scikit-learn's cost_complexity_pruning_path): each entry is
    /// the alpha at which the next weakest link is cut and the total leaf impurity of the tree after the cut,
    /// starting with alpha 0 and the full tree.
    /// </summary>
    public IReadOnlyList<(double Alpha, double Impurity)> PruningPath() => CostComplexityPruning.Path(_nodes, _branches);

    /// <summary>A copy pruned at <paramref name="alpha"/>: every weakest link whose effective alpha is at most <paramref name="alpha"/> is cut.</summary>
    public DecisionTree Prune(double alpha)
    {
        if (!(alpha >= 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "DecisionTree.Prune: alpha must be ≥ 0.");
        var cut = CostComplexityPruning.Cuts(_nodes, _branches, alpha);
        return Compact(cut);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int LeafOf(ReadOnlySpan<double> row)
    {
        var id = 0;
        while (true)
        {
            ref readonly var n = ref _nodes[id];
            int next;
            switch (n.Kind)
            {
                case SplitKind.Threshold: next = row[n.Feature] <= n.Threshold ? n.Left : n.Right; break;
                case SplitKind.CategorySet: next = InMask(n.Table, row[n.Feature]) ? n.Left : n.Right; break;
                case SplitKind.CategoryBranches: next = BranchOf(n, row[n.Feature]); break;
                default: return id;
            }
            if (next < 0) return id;
            id = next;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Walk(ReadOnlySpan<double> row, List<DecisionStep>? steps, Span<double> byFeature, int classIndex)
    {
        var id = 0;
        while (true)
        {
            ref readonly var n = ref _nodes[id];
            if (n.Kind == SplitKind.Leaf) return id;
            var value = row[n.Feature];
            int next;
            Branch branch;
            switch (n.Kind)
            {
                case SplitKind.Threshold:
                    var atMost = value <= n.Threshold;
                    next = atMost ? n.Left : n.Right;
                    branch = atMost ? Branch.AtMost : Branch.Above;
                    break;
                case SplitKind.CategorySet:
                    var inSet = InMask(n.Table, value);
                    next = inSet ? n.Left : n.Right;
                    branch = inSet ? Branch.InCategories : Branch.NotInCategories;
                    break;
                default:
                    next = BranchOf(n, value);
                    branch = Branch.CategoryBranch;
                    break;
            }
            if (next < 0) return id;
            steps?.Add(new DecisionStep(n.Feature, _names[n.Feature], value, n.Kind == SplitKind.Threshold ? n.Threshold : double.NaN,
                n.Kind == SplitKind.CategorySet ? CategoriesIn(n.Table) : [], branch));
            if (!byFeature.IsEmpty) byFeature[n.Feature] += _values[next * ClassCount + classIndex] - _values[id * ClassCount + classIndex];
            id = next;
        }
    }

    private bool InMask(int table, double value)
    {
        var code = (int)value;
        return (uint)code < MaskWords * 64 && (_masks[table + (code >> 6)] & (1UL << (code & 63))) != 0;
    }

    private int BranchOf(in TreeNode n, double value)
    {
        var code = (int)value;
        return (uint)code < (uint)n.Branches ? _branches[n.Table + code] : -1;
    }

    /// <summary>The categories seen in training that the node sends left (unseen ones follow the larger child).</summary>
    private int[] CategoriesIn(int table)
    {
        var list = new List<int>();
        for (var c = 0; c < FeatureMatrix.MaxCategories; c++) if ((_masks[table + MaskWords + (c >> 6)] & (1UL << (c & 63))) != 0) list.Add(c);
        return list.ToArray();
    }

    private int DepthBelow(int id)
    {
        var n = _nodes[id];
        switch (n.Kind)
        {
            case SplitKind.Leaf: return 0;
            case SplitKind.CategoryBranches:
                var deepest = 0;
                for (var b = 0; b < n.Branches; b++) if (_branches[n.Table + b] >= 0) deepest = Math.Max(deepest, DepthBelow(_branches[n.Table + b]));
                return deepest + 1;
            default: return Math.Max(DepthBelow(n.Left), DepthBelow(n.Right)) + 1;
        }
    }

    /// <summary>Rebuilds the arrays keeping only what is reachable once the nodes in <paramref name="cut"/> become leaves.</summary>
    private DecisionTree Compact(bool[] cut)
    {
        var newNodes = new List<TreeNode>();
        var newValues = new List<double>();
        var newMasks = new List<ulong>();
        var newBranches = new List<int>();
        Copy(0);
        return new DecisionTree(newNodes.ToArray(), newValues.ToArray(), newMasks.ToArray(), newBranches.ToArray(), ClassCount, _names);

        int Copy(int id)
        {
            var n = _nodes[id];
            var newId = newNodes.Count;
            if (cut[id]) { n.Kind = SplitKind.Leaf; n.Feature = -1; n.Gain = 0; }
            newNodes.Add(n);
            for (var k = 0; k < ClassCount; k++) newValues.Add(_values[id * ClassCount + k]);
            switch (n.Kind)
            {
                case SplitKind.Threshold:
                case SplitKind.CategorySet:
                    if (n.Kind == SplitKind.CategorySet)
                    {
                        n.Table = newMasks.Count;
                        for (var w = 0; w < 2 * MaskWords; w++) newMasks.Add(_masks[_nodes[id].Table + w]);
                    }
                    n.Left = Copy(_nodes[id].Left);
                    n.Right = Copy(_nodes[id].Right);
                    break;
                case SplitKind.CategoryBranches:
                    n.Table = newBranches.Count;
                    for (var b = 0; b < n.Branches; b++) newBranches.Add(-1);
                    for (var b = 0; b < n.Branches; b++)
                    {
                        var child = _branches[_nodes[id].Table + b];
                        if (child >= 0) newBranches[n.Table + b] = Copy(child);
                    }
                    break;
            }
            newNodes[newId] = n;
            return newId;
        }
    }
}
