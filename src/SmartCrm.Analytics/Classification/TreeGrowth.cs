using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>
/// Greedy top-down growth of one classification tree. Each numeric feature is sorted once; a node owns the same
/// range [start, end) of every sorted order, and a split partitions those ranges stably, so finding the best
/// threshold is one linear scan per feature and per node (the presorted scheme of SLIQ / early CART programs).
/// </summary>
internal sealed class TreeGrowth
{
    private const double Ln2 = 0.69314718055994530942;

    private readonly int _classCount;
    private readonly int _featureCount;
    private readonly double[][] _columns;
    private readonly int[] _labels;
    private readonly double[] _weights;
    private readonly FeatureKind[] _kinds;
    private readonly DecisionTreeOptions _options;
    private readonly string[] _names;
    private readonly int[]?[] _sorted;
    private readonly double[]?[] _levels;
    private readonly byte[]?[] _levelOf;
    private readonly double[] _levelCounts;
    private readonly bool _unitWeights;
    private readonly int[] _levelSamples;
    private readonly int[] _members;
    private readonly int[] _scratch;
    private readonly int[] _branchOf;
    private readonly Random _random;
    private readonly int[] _featureOrder;

    private readonly double[] _nodeCounts;
    private readonly double[] _left;
    private readonly double[] _categoryCounts;
    private readonly double[] _categoryWeight;
    private readonly int[] _categorySamples;
    private readonly List<int> _present = [];

    private readonly List<TreeNode> _nodes = [];
    private readonly List<double> _values = [];
    private readonly List<ulong> _masks = [];
    private readonly List<int> _branches = [];

    public TreeGrowth(FeatureMatrix x, ReadOnlySpan<int> y, ReadOnlySpan<double> w, int classCount, DecisionTreeOptions options)
        : this(new PresortedFeatures(x), y, w, classCount, options)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TreeGrowth(PresortedFeatures features, ReadOnlySpan<int> y, ReadOnlySpan<double> w, int classCount, DecisionTreeOptions options)
    {
        this._classCount = classCount;
        this._options = options;
        _featureCount = features.Columns.Length;
        _kinds = features.Kinds;
        _names = features.Names;
        _columns = features.Columns;
        _levels = features.Levels;
        _levelOf = features.LevelOf;
        _levelCounts = new double[PresortedFeatures.MaxLevels * classCount];
        _levelSamples = new int[PresortedFeatures.MaxLevels];
        var rows = features.Rows;
        _labels = y.ToArray();
        _weights = w.IsEmpty ? Enumerable.Repeat(1.0, rows).ToArray() : w.ToArray();
        _unitWeights = w.IsEmpty;
        _random = new Random(options.Seed);
        _featureOrder = Enumerable.Range(0, _featureCount).ToArray();

        var inBag = new List<int>(rows);
        for (var r = 0; r < rows; r++) if (_weights[r] > 0) inBag.Add(r);
        _members = inBag.ToArray();
        _scratch = new int[_members.Length];
        _branchOf = new int[rows];

        // The shared sort order of all rows, filtered to the rows in this sample: no sorting per tree.
        _sorted = new int[]?[_featureCount];
        for (var f = 0; f < _featureCount; f++)
        {
            if (features.Sorted[f] is not { } all) continue;
            if (_members.Length == rows) { _sorted[f] = (int[])all.Clone(); continue; }
            var order = new int[_members.Length];
            var at = 0;
            foreach (var r in all) if (_weights[r] > 0) order[at++] = r;
            _sorted[f] = order;
        }

        _nodeCounts = new double[classCount];
        _left = new double[classCount];
        _categoryCounts = new double[FeatureMatrix.MaxCategories * classCount];
        _categoryWeight = new double[FeatureMatrix.MaxCategories];
        _categorySamples = new int[FeatureMatrix.MaxCategories];
    }

    private struct Split
    {
        public int Feature;
        public SplitKind Kind;
        public double Gain;
        public double Threshold;
        public ulong Mask0, Mask1, Mask2, Mask3;
        public bool UnseenLeft;
    }

    private readonly record struct Work(int Start, int End, int Depth, int Parent, int Slot);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DecisionTree Grow()
    {
        var stack = new Stack<Work>();
        stack.Push(new Work(0, _members.Length, 0, -1, 0));
        while (stack.Count > 0)
        {
            var work = stack.Pop();
            var id = AddNode(work.Start, work.End);
            if (work.Parent >= 0) Link(work.Parent, work.Slot, id);
            var samples = work.End - work.Start;
            if (work.Depth >= _options.MaxDepth || samples < _options.MinSamplesSplit || samples < 2 * _options.MinSamplesLeaf
                || _nodes[id].Impurity <= 1e-12) continue;
            var split = FindBest(work.Start, work.End, _nodes[id].Weight, _nodes[id].Impurity);
            if (split.Feature < 0) continue;
            Apply(id, split, work, stack);
        }
        return new DecisionTree([.. _nodes], [.. _values], [.. _masks], [.. _branches], _classCount, _names);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AddNode(int start, int end)
    {
        Array.Clear(_nodeCounts);
        double weight = 0;
        for (var i = start; i < end; i++)
        {
            var s = _members[i];
            _nodeCounts[_labels[s]] += _weights[s];
            weight += _weights[s];
        }
        for (var k = 0; k < _classCount; k++) _values.Add(_nodeCounts[k] / weight);
        _nodes.Add(new TreeNode
        {
            Feature = -1,
            Kind = SplitKind.Leaf,
            Samples = end - start,
            Weight = weight,
            Impurity = Impurity(_nodeCounts, weight),
            Left = -1,
            Right = -1,
        });
        return _nodes.Count - 1;
    }

    private void Link(int parent, int slot, int child)
    {
        ref var p = ref CollectionsMarshal.AsSpan(_nodes)[parent];
        if (p.Kind == SplitKind.CategoryBranches) _branches[p.Table + slot] = child;
        else if (slot == 0) p.Left = child;
        else p.Right = child;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Split FindBest(int start, int end, double weight, double impurity)
    {
        var best = new Split { Feature = -1, Gain = double.NegativeInfinity };
        var nodeTotal = weight * impurity;
        // nodeCounts still holds this node's class weights: AddNode ran just before.
        var tried = 0;
        var limit = _options.MaxFeatures ?? _featureCount;
        for (var j = 0; j < _featureCount && tried < limit; j++)
        {
            int f;
            if (_options.MaxFeatures is null) f = j;
            else
            {
                var pick = _random.Next(j, _featureCount);
                (_featureOrder[j], _featureOrder[pick]) = (_featureOrder[pick], _featureOrder[j]);
                f = _featureOrder[j];
            }
            var varies = _kinds[f] == FeatureKind.Numeric
                ? _levels[f] is null ? SearchThreshold(f, start, end, weight, nodeTotal, ref best) : SearchLevels(f, start, end, weight, nodeTotal, ref best)
                : _options.MultiwayCategorical
                    ? SearchBranches(f, start, end, nodeTotal, ref best)
                    : SearchCategorySet(f, start, end, weight, nodeTotal, ref best);
            if (varies) tried++;
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SearchThreshold(int f, int start, int end, double weight, double nodeTotal, ref Split best)
    {
        var order = _sorted[f]!;
        var column = _columns[f];
        if (column[order[start]] >= column[order[end - 1]]) return false;
        Array.Clear(_left);
        double squareLeft = 0, squareRight = 0, entropyLeft = 0, entropyRight = 0;
        var gini = _options.Criterion == SplitCriterion.Gini;
        for (var k = 0; k < _classCount; k++)
        {
            squareRight += _nodeCounts[k] * _nodeCounts[k];
            entropyRight += XLogX(_nodeCounts[k]);
        }
        double weightLeft = 0;
        var samples = end - start;
        var minLeaf = _options.MinSamplesLeaf;
        for (var i = start; i < end - 1; i++)
        {
            var s = order[i];
            var c = _labels[s];
            var ws = _weights[s];
            var l = _left[c];
            var r = _nodeCounts[c] - l;
            if (gini)
            {
                squareLeft += ws * (2 * l + ws);
                squareRight -= ws * (2 * r - ws);
            }
            else
            {
                entropyLeft += XLogX(l + ws) - XLogX(l);
                entropyRight += XLogX(r - ws) - XLogX(r);
            }
            _left[c] = l + ws;
            weightLeft += ws;
            var leftSamples = i - start + 1;
            if (leftSamples < minLeaf) continue;
            if (samples - leftSamples < minLeaf) break;
            var v = column[s];
            var next = column[order[i + 1]];
            if (next <= v) continue;
            var weightRight = weight - weightLeft;
            var gain = gini
                ? squareLeft / weightLeft + squareRight / weightRight - (weight - nodeTotal)
                : nodeTotal - (XLogX(weightLeft) - entropyLeft + XLogX(weightRight) - entropyRight) / Ln2;
            if (Better(gain, best.Gain))
            {
                var threshold = v / 2 + next / 2;
                if (threshold >= next || threshold < v) threshold = v;
                best = new Split { Feature = f, Kind = SplitKind.Threshold, Gain = gain, Threshold = threshold };
            }
        }
        return true;
    }

    /// <summary>
    /// Threshold search on a few-valued column: class weights per value, then the cuts between consecutive values
    /// present in the node, in ascending order (the same candidates, gains and tie order as the sorted scan).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SearchLevels(int f, int start, int end, double weight, double nodeTotal, ref Split best)
    {
        var rank = _levelOf[f]!;
        var values = _levels[f]!;
        var count = values.Length;
        Array.Clear(_levelCounts, 0, count * _classCount);
        Array.Clear(_levelSamples, 0, count);
        if (_unitWeights)
        {
            for (var i = start; i < end; i++)
            {
                var s = _members[i];
                var level = rank[s];
                _levelSamples[level]++;
                _levelCounts[level * _classCount + _labels[s]]++;
            }
        }
        else
        {
            for (var i = start; i < end; i++)
            {
                var s = _members[i];
                var level = rank[s];
                _levelSamples[level]++;
                _levelCounts[level * _classCount + _labels[s]] += _weights[s];
            }
        }
        var lowest = 0;
        while (_levelSamples[lowest] == 0) lowest++;
        var highest = count - 1;
        while (_levelSamples[highest] == 0) highest--;
        if (lowest == highest) return false;
        Array.Clear(_left);
        double weightLeft = 0;
        var leftSamples = 0;
        var samples = end - start;
        for (var level = lowest; level < highest; level++)
        {
            if (_levelSamples[level] == 0) continue;
            for (var k = 0; k < _classCount; k++)
            {
                _left[k] += _levelCounts[level * _classCount + k];
                weightLeft += _levelCounts[level * _classCount + k];
            }
            leftSamples += _levelSamples[level];
            var next = level + 1;
            while (_levelSamples[next] == 0) next++;
            if (leftSamples < _options.MinSamplesLeaf) continue;
            if (samples - leftSamples < _options.MinSamplesLeaf) break;
            var gain = nodeTotal - WeightedImpurity(_left, weightLeft, _nodeCounts, weight);
            if (Better(gain, best.Gain))
            {
                var (v, vNext) = (values[level], values[next]);
                var threshold = v / 2 + vNext / 2;
                if (threshold >= vNext || threshold < v) threshold = v;
                best = new Split { Feature = f, Kind = SplitKind.Threshold, Gain = gain, Threshold = threshold };
            }
        }
        return true;
    }

    /// <summary>Class weights per category of feature <paramref name="f"/> in the node; false when only one category is present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool CountCategories(int f, int start, int end)
    {
        _present.Clear();
        var column = _columns[f];
        for (var i = start; i < end; i++)
        {
            var s = _members[i];
            var c = (int)column[s];
            if (_categorySamples[c]++ == 0) _present.Add(c);
            _categoryWeight[c] += _weights[s];
            _categoryCounts[c * _classCount + _labels[s]] += _weights[s];
        }
        _present.Sort();
        return _present.Count > 1;
    }

    private void ClearCategories()
    {
        foreach (var c in _present)
        {
            _categorySamples[c] = 0;
            _categoryWeight[c] = 0;
            Array.Clear(_categoryCounts, c * _classCount, _classCount);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SearchCategorySet(int f, int start, int end, double weight, double nodeTotal, ref Split best)
    {
        if (!CountCategories(f, start, end)) { ClearCategories(); return false; }
        var order = _present.ToArray();
        var keys = new double[order.Length];
        var samples = end - start;
        // Breiman's theorem: for two classes, sorting categories by their share of class 1 and cutting that order
        // finds the best of all 2^(m−1) subsets. For more classes, each class's ordering is tried (a heuristic).
        var orderings = _classCount == 2 ? 1 : _classCount;
        for (var target = 0; target < orderings; target++)
        {
            var k0 = _classCount == 2 ? 1 : target;
            for (var j = 0; j < order.Length; j++) keys[j] = _categoryCounts[order[j] * _classCount + k0] / _categoryWeight[order[j]];
            Array.Sort(keys, order);
            Array.Clear(_left);
            double weightLeft = 0;
            var leftSamples = 0;
            for (var j = 0; j < order.Length - 1; j++)
            {
                var c = order[j];
                for (var k = 0; k < _classCount; k++) _left[k] += _categoryCounts[c * _classCount + k];
                weightLeft += _categoryWeight[c];
                leftSamples += _categorySamples[c];
                if (leftSamples < _options.MinSamplesLeaf || samples - leftSamples < _options.MinSamplesLeaf) continue;
                var gain = nodeTotal - WeightedImpurity(_left, weightLeft, _nodeCounts, weight);
                if (Better(gain, best.Gain))
                {
                    best = new Split { Feature = f, Kind = SplitKind.CategorySet, Gain = gain, UnseenLeft = weightLeft >= weight - weightLeft };
                    for (var i = 0; i <= j; i++) SetBit(ref best, order[i]);
                }
            }
            Array.Sort(order);
        }
        ClearCategories();
        return true;
    }

    private bool SearchBranches(int f, int start, int end, double nodeTotal, ref Split best)
    {
        if (!CountCategories(f, start, end)) { ClearCategories(); return false; }
        var childTotal = 0.0;
        var allowed = true;
        foreach (var c in _present)
        {
            if (_categorySamples[c] < _options.MinSamplesLeaf) allowed = false;
            childTotal += _categoryWeight[c] * Impurity(_categoryCounts.AsSpan(c * _classCount, _classCount), _categoryWeight[c]);
        }
        var gain = nodeTotal - childTotal;
        if (allowed && Better(gain, best.Gain)) best = new Split { Feature = f, Kind = SplitKind.CategoryBranches, Gain = gain };
        ClearCategories();
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply(int id, Split split, Work work, Stack<Work> stack)
    {
        var (start, end) = (work.Start, work.End);
        var column = _columns[split.Feature];
        int branchCount;
        int[] codes;
        if (split.Kind == SplitKind.CategoryBranches)
        {
            CountCategories(split.Feature, start, end);
            codes = _present.ToArray();
            ClearCategories();
            var slotOf = new Dictionary<int, int>(codes.Length);
            for (var b = 0; b < codes.Length; b++) slotOf[codes[b]] = b;
            for (var i = start; i < end; i++) _branchOf[_members[i]] = slotOf[(int)column[_members[i]]];
            branchCount = codes.Length;
        }
        else
        {
            codes = [];
            for (var i = start; i < end; i++)
            {
                var s = _members[i];
                var goesLeft = split.Kind == SplitKind.Threshold ? column[s] <= split.Threshold : HasBit(split, (int)column[s]);
                _branchOf[s] = goesLeft ? 0 : 1;
            }
            branchCount = 2;
        }

        var offsets = new int[branchCount + 1];
        for (var i = start; i < end; i++) offsets[_branchOf[_members[i]] + 1]++;
        for (var b = 0; b < branchCount; b++) offsets[b + 1] += offsets[b];
        Partition(_members, start, end, offsets);
        for (var f = 0; f < _featureCount; f++) if (_sorted[f] is { } order) Partition(order, start, end, offsets);

        ref var node = ref CollectionsMarshal.AsSpan(_nodes)[id];
        node.Feature = split.Feature;
        node.Kind = split.Kind;
        node.Gain = split.Gain;
        switch (split.Kind)
        {
            case SplitKind.Threshold:
                node.Threshold = split.Threshold;
                break;
            case SplitKind.CategorySet:
                node.Table = _masks.Count;
                var seenLeft = (split.Mask0, split.Mask1, split.Mask2, split.Mask3);
                if (split.UnseenLeft)
                {
                    // Categories absent from this node follow the heavier child.
                    CountCategories(split.Feature, start, end);
                    var here = _present.ToHashSet();
                    ClearCategories();
                    for (var c = 0; c < FeatureMatrix.MaxCategories; c++) if (!here.Contains(c)) SetBit(ref split, c);
                }
                _masks.AddRange([split.Mask0, split.Mask1, split.Mask2, split.Mask3, seenLeft.Mask0, seenLeft.Mask1, seenLeft.Mask2, seenLeft.Mask3]);
                break;
            default:
                node.Table = _branches.Count;
                node.Branches = codes[^1] + 1;
                for (var b = 0; b < node.Branches; b++) _branches.Add(-1);
                break;
        }
        node.Threshold = split.Kind == SplitKind.Threshold ? split.Threshold : double.NaN;
        for (var b = branchCount - 1; b >= 0; b--)
        {
            var slot = split.Kind == SplitKind.CategoryBranches ? codes[b] : b;
            stack.Push(new Work(start + offsets[b], start + offsets[b + 1], work.Depth + 1, id, slot));
        }
    }

    /// <summary>Stable bucket partition of a[start..end) by <see cref="_branchOf"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Partition(int[] a, int start, int end, int[] offsets)
    {
        if (offsets.Length == 3)
        {
            // Two branches: left rows are written in place (the write never passes the read), right rows wait aside.
            var write = start;
            var aside = 0;
            for (var i = start; i < end; i++)
            {
                var s = a[i];
                if (_branchOf[s] == 0) a[write++] = s;
                else _scratch[aside++] = s;
            }
            Array.Copy(_scratch, 0, a, write, aside);
            return;
        }
        var next = new int[offsets.Length];
        Array.Copy(offsets, next, offsets.Length);
        var span = _scratch.AsSpan(0, end - start);
        a.AsSpan(start, end - start).CopyTo(span);
        foreach (var s in span) a[start + next[_branchOf[s]]++] = s;
    }

    private double Impurity(ReadOnlySpan<double> counts, double weight)
    {
        if (weight <= 0) return 0;
        double sum = 0;
        if (_options.Criterion == SplitCriterion.Gini)
        {
            foreach (var c in counts) sum += c * c;
            return 1 - sum / (weight * weight);
        }
        foreach (var c in counts) if (c > 0) sum -= c / weight * Math.Log(c / weight);
        return sum / Ln2;
    }

    private double WeightedImpurity(double[] leftCounts, double weightLeft, double[] parentCounts, double weight)
    {
        Span<double> right = stackalloc double[_classCount];
        for (var k = 0; k < _classCount; k++) right[k] = parentCounts[k] - leftCounts[k];
        return weightLeft * Impurity(leftCounts, weightLeft) + (weight - weightLeft) * Impurity(right, weight - weightLeft);
    }

    /// <summary>
    /// A candidate wins only by more than rounding: gains equal up to float noise (duplicate or mirror columns, as
    /// one-hot encoding makes) go to the first candidate, the lowest feature and threshold, whichever way they were summed.
    /// </summary>
    private static bool Better(double gain, double best) => double.IsNegativeInfinity(best) || gain > best + 1e-10 * Math.Max(1, Math.Abs(best));

    private static double XLogX(double v) => v > 0 ? v * Math.Log(v) : 0;

    private static void SetBit(ref Split split, int code)
    {
        var bit = 1UL << (code & 63);
        switch (code >> 6)
        {
            case 0: split.Mask0 |= bit; break;
            case 1: split.Mask1 |= bit; break;
            case 2: split.Mask2 |= bit; break;
            default: split.Mask3 |= bit; break;
        }
    }

    private static bool HasBit(in Split split, int code)
    {
        var bit = 1UL << (code & 63);
        return ((code >> 6) switch { 0 => split.Mask0, 1 => split.Mask1, 2 => split.Mask2, _ => split.Mask3 } & bit) != 0;
    }
}

/// <summary>Column-major values and, per numeric column, all rows in ascending order: computed once, shared by the trees of a forest.</summary>
internal sealed class PresortedFeatures
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PresortedFeatures(FeatureMatrix x)
    {
        Rows = x.Rows;
        Kinds = [.. x.Kinds];
        Names = [.. x.Names];
        var count = x.Columns;
        Columns = new double[count][];
        Sorted = new int[]?[count];
        Levels = new double[]?[count];
        LevelOf = new byte[]?[count];
        var all = x.Values;
        var keys = new double[Rows];
        for (var f = 0; f < count; f++)
        {
            var column = new double[Rows];
            for (var r = 0; r < Rows; r++) column[r] = all[r * count + f];
            Columns[f] = column;
            if (Kinds[f] != FeatureKind.Numeric) continue;
            var rank = new byte[Rows];
            if (FewLevels(column, rank) is { } levels)
            {
                Levels[f] = levels;
                LevelOf[f] = rank;
                continue;
            }
            var order = new int[Rows];
            for (var r = 0; r < Rows; r++) order[r] = r;
            column.CopyTo(keys, 0);
            Array.Sort(keys, order);
            Sorted[f] = order;
        }
    }

    /// <summary>
    /// Numeric columns with at most this many distinct values (indicator columns from one-hot encoding, counts, scores)
    /// are searched by counting rows per value at each node instead of through a sorted order: no sort, no partition.
    /// </summary>
    public const int MaxLevels = 16;

    /// <summary>
    /// The sorted distinct values of a column with at most <see cref="MaxLevels"/> of them, each row's index among
    /// them written to <paramref name="rank"/>; null when there are more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[]? FewLevels(double[] column, byte[] rank)
    {
        Span<double> distinct = stackalloc double[MaxLevels];
        var found = 0;
        var last = double.NaN;
        var lastIndex = 0;
        for (var r = 0; r < column.Length; r++)
        {
            var v = column[r];
            if (v != last)
            {
                lastIndex = -1;
                for (var i = 0; i < found; i++)
                    if (distinct[i] == v) { lastIndex = i; break; }
                if (lastIndex < 0)
                {
                    if (found == MaxLevels) return null;
                    lastIndex = found;
                    distinct[found++] = v;
                }
                last = v;
            }
            rank[r] = (byte)lastIndex;
        }
        // Renumber from order of appearance to ascending order of value.
        var levels = distinct[..found].ToArray();
        Span<byte> appearance = stackalloc byte[MaxLevels];
        for (var i = 0; i < found; i++) appearance[i] = (byte)i;
        var order = appearance[..found].ToArray();
        Array.Sort(levels, order);
        Span<byte> renumber = stackalloc byte[MaxLevels];
        for (var i = 0; i < found; i++) renumber[order[i]] = (byte)i;
        for (var r = 0; r < rank.Length; r++) rank[r] = renumber[rank[r]];
        return levels;
    }

    public int Rows { get; }

    public FeatureKind[] Kinds { get; }

    public string[] Names { get; }

    public double[][] Columns { get; }

    public int[]?[] Sorted { get; }

    /// <summary>Sorted distinct values of the few-valued numeric columns (null for the others).</summary>
    public double[]?[] Levels { get; }

    /// <summary>Per few-valued numeric column, the index into <see cref="Levels"/> of each row's value.</summary>
    public byte[]?[] LevelOf { get; }
}
