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

    private readonly int classCount;
    private readonly int featureCount;
    private readonly double[][] columns;
    private readonly int[] labels;
    private readonly double[] weights;
    private readonly FeatureKind[] kinds;
    private readonly DecisionTreeOptions options;
    private readonly string[] names;
    private readonly int[]?[] sorted;
    private readonly double[]?[] levels;
    private readonly byte[]?[] levelOf;
    private readonly double[] levelCounts;
    private readonly bool unitWeights;
    private readonly int[] levelSamples;
    private readonly int[] members;
    private readonly int[] scratch;
    private readonly int[] branchOf;
    private readonly Random random;
    private readonly int[] featureOrder;

    private readonly double[] nodeCounts;
    private readonly double[] left;
    private readonly double[] categoryCounts;
    private readonly double[] categoryWeight;
    private readonly int[] categorySamples;
    private readonly List<int> present = [];

    private readonly List<TreeNode> nodes = [];
    private readonly List<double> values = [];
    private readonly List<ulong> masks = [];
    private readonly List<int> branches = [];

    public TreeGrowth(FeatureMatrix x, ReadOnlySpan<int> y, ReadOnlySpan<double> w, int classCount, DecisionTreeOptions options)
        : this(new PresortedFeatures(x), y, w, classCount, options)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TreeGrowth(PresortedFeatures features, ReadOnlySpan<int> y, ReadOnlySpan<double> w, int classCount, DecisionTreeOptions options)
    {
        this.classCount = classCount;
        this.options = options;
        featureCount = features.Columns.Length;
        kinds = features.Kinds;
        names = features.Names;
        columns = features.Columns;
        levels = features.Levels;
        levelOf = features.LevelOf;
        levelCounts = new double[PresortedFeatures.MaxLevels * classCount];
        levelSamples = new int[PresortedFeatures.MaxLevels];
        var rows = features.Rows;
        labels = y.ToArray();
        weights = w.IsEmpty ? Enumerable.Repeat(1.0, rows).ToArray() : w.ToArray();
        unitWeights = w.IsEmpty;
        random = new Random(options.Seed);
        featureOrder = Enumerable.Range(0, featureCount).ToArray();

        var inBag = new List<int>(rows);
        for (var r = 0; r < rows; r++) if (weights[r] > 0) inBag.Add(r);
        members = inBag.ToArray();
        scratch = new int[members.Length];
        branchOf = new int[rows];

        // The shared sort order of all rows, filtered to the rows in this sample: no sorting per tree.
        sorted = new int[]?[featureCount];
        for (var f = 0; f < featureCount; f++)
        {
            if (features.Sorted[f] is not { } all) continue;
            if (members.Length == rows) { sorted[f] = (int[])all.Clone(); continue; }
            var order = new int[members.Length];
            var at = 0;
            foreach (var r in all) if (weights[r] > 0) order[at++] = r;
            sorted[f] = order;
        }

        nodeCounts = new double[classCount];
        left = new double[classCount];
        categoryCounts = new double[FeatureMatrix.MaxCategories * classCount];
        categoryWeight = new double[FeatureMatrix.MaxCategories];
        categorySamples = new int[FeatureMatrix.MaxCategories];
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
        stack.Push(new Work(0, members.Length, 0, -1, 0));
        while (stack.Count > 0)
        {
            var work = stack.Pop();
            var id = AddNode(work.Start, work.End);
            if (work.Parent >= 0) Link(work.Parent, work.Slot, id);
            var samples = work.End - work.Start;
            if (work.Depth >= options.MaxDepth || samples < options.MinSamplesSplit || samples < 2 * options.MinSamplesLeaf
                || nodes[id].Impurity <= 1e-12) continue;
            var split = FindBest(work.Start, work.End, nodes[id].Weight, nodes[id].Impurity);
            if (split.Feature < 0) continue;
            Apply(id, split, work, stack);
        }
        return new DecisionTree([.. nodes], [.. values], [.. masks], [.. branches], classCount, names);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AddNode(int start, int end)
    {
        Array.Clear(nodeCounts);
        double weight = 0;
        for (var i = start; i < end; i++)
        {
            var s = members[i];
            nodeCounts[labels[s]] += weights[s];
            weight += weights[s];
        }
        for (var k = 0; k < classCount; k++) values.Add(nodeCounts[k] / weight);
        nodes.Add(new TreeNode
        {
            Feature = -1,
            Kind = SplitKind.Leaf,
            Samples = end - start,
            Weight = weight,
            Impurity = Impurity(nodeCounts, weight),
            Left = -1,
            Right = -1,
        });
        return nodes.Count - 1;
    }

    private void Link(int parent, int slot, int child)
    {
        ref var p = ref CollectionsMarshal.AsSpan(nodes)[parent];
        if (p.Kind == SplitKind.CategoryBranches) branches[p.Table + slot] = child;
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
        var limit = options.MaxFeatures ?? featureCount;
        for (var j = 0; j < featureCount && tried < limit; j++)
        {
            int f;
            if (options.MaxFeatures is null) f = j;
            else
            {
                var pick = random.Next(j, featureCount);
                (featureOrder[j], featureOrder[pick]) = (featureOrder[pick], featureOrder[j]);
                f = featureOrder[j];
            }
            var varies = kinds[f] == FeatureKind.Numeric
                ? levels[f] is null ? SearchThreshold(f, start, end, weight, nodeTotal, ref best) : SearchLevels(f, start, end, weight, nodeTotal, ref best)
                : options.MultiwayCategorical
                    ? SearchBranches(f, start, end, nodeTotal, ref best)
                    : SearchCategorySet(f, start, end, weight, nodeTotal, ref best);
            if (varies) tried++;
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SearchThreshold(int f, int start, int end, double weight, double nodeTotal, ref Split best)
    {
        var order = sorted[f]!;
        var column = columns[f];
        if (column[order[start]] >= column[order[end - 1]]) return false;
        Array.Clear(left);
        double squareLeft = 0, squareRight = 0, entropyLeft = 0, entropyRight = 0;
        var gini = options.Criterion == SplitCriterion.Gini;
        for (var k = 0; k < classCount; k++)
        {
            squareRight += nodeCounts[k] * nodeCounts[k];
            entropyRight += XLogX(nodeCounts[k]);
        }
        double weightLeft = 0;
        var samples = end - start;
        var minLeaf = options.MinSamplesLeaf;
        for (var i = start; i < end - 1; i++)
        {
            var s = order[i];
            var c = labels[s];
            var ws = weights[s];
            var l = left[c];
            var r = nodeCounts[c] - l;
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
            left[c] = l + ws;
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
        var rank = levelOf[f]!;
        var values = levels[f]!;
        var count = values.Length;
        Array.Clear(levelCounts, 0, count * classCount);
        Array.Clear(levelSamples, 0, count);
        if (unitWeights)
        {
            for (var i = start; i < end; i++)
            {
                var s = members[i];
                var level = rank[s];
                levelSamples[level]++;
                levelCounts[level * classCount + labels[s]]++;
            }
        }
        else
        {
            for (var i = start; i < end; i++)
            {
                var s = members[i];
                var level = rank[s];
                levelSamples[level]++;
                levelCounts[level * classCount + labels[s]] += weights[s];
            }
        }
        var lowest = 0;
        while (levelSamples[lowest] == 0) lowest++;
        var highest = count - 1;
        while (levelSamples[highest] == 0) highest--;
        if (lowest == highest) return false;
        Array.Clear(left);
        double weightLeft = 0;
        var leftSamples = 0;
        var samples = end - start;
        for (var level = lowest; level < highest; level++)
        {
            if (levelSamples[level] == 0) continue;
            for (var k = 0; k < classCount; k++)
            {
                left[k] += levelCounts[level * classCount + k];
                weightLeft += levelCounts[level * classCount + k];
            }
            leftSamples += levelSamples[level];
            var next = level + 1;
            while (levelSamples[next] == 0) next++;
            if (leftSamples < options.MinSamplesLeaf) continue;
            if (samples - leftSamples < options.MinSamplesLeaf) break;
            var gain = nodeTotal - WeightedImpurity(left, weightLeft, nodeCounts, weight);
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
        present.Clear();
        var column = columns[f];
        for (var i = start; i < end; i++)
        {
            var s = members[i];
            var c = (int)column[s];
            if (categorySamples[c]++ == 0) present.Add(c);
            categoryWeight[c] += weights[s];
            categoryCounts[c * classCount + labels[s]] += weights[s];
        }
        present.Sort();
        return present.Count > 1;
    }

    private void ClearCategories()
    {
        foreach (var c in present)
        {
            categorySamples[c] = 0;
            categoryWeight[c] = 0;
            Array.Clear(categoryCounts, c * classCount, classCount);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SearchCategorySet(int f, int start, int end, double weight, double nodeTotal, ref Split best)
    {
        if (!CountCategories(f, start, end)) { ClearCategories(); return false; }
        var order = present.ToArray();
        var keys = new double[order.Length];
        var samples = end - start;
        // Breiman's theorem: for two classes, sorting categories by their share of class 1 and cutting that order
        // finds the best of all 2^(m−1) subsets. For more classes, each class's ordering is tried (a heuristic).
        var orderings = classCount == 2 ? 1 : classCount;
        for (var target = 0; target < orderings; target++)
        {
            var k0 = classCount == 2 ? 1 : target;
            for (var j = 0; j < order.Length; j++) keys[j] = categoryCounts[order[j] * classCount + k0] / categoryWeight[order[j]];
            Array.Sort(keys, order);
            Array.Clear(left);
            double weightLeft = 0;
            var leftSamples = 0;
            for (var j = 0; j < order.Length - 1; j++)
            {
                var c = order[j];
                for (var k = 0; k < classCount; k++) left[k] += categoryCounts[c * classCount + k];
                weightLeft += categoryWeight[c];
                leftSamples += categorySamples[c];
                if (leftSamples < options.MinSamplesLeaf || samples - leftSamples < options.MinSamplesLeaf) continue;
                var gain = nodeTotal - WeightedImpurity(left, weightLeft, nodeCounts, weight);
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
        foreach (var c in present)
        {
            if (categorySamples[c] < options.MinSamplesLeaf) allowed = false;
            childTotal += categoryWeight[c] * Impurity(categoryCounts.AsSpan(c * classCount, classCount), categoryWeight[c]);
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
        var column = columns[split.Feature];
        int branchCount;
        int[] codes;
        if (split.Kind == SplitKind.CategoryBranches)
        {
            CountCategories(split.Feature, start, end);
            codes = present.ToArray();
            ClearCategories();
            var slotOf = new Dictionary<int, int>(codes.Length);
            for (var b = 0; b < codes.Length; b++) slotOf[codes[b]] = b;
            for (var i = start; i < end; i++) branchOf[members[i]] = slotOf[(int)column[members[i]]];
            branchCount = codes.Length;
        }
        else
        {
            codes = [];
            for (var i = start; i < end; i++)
            {
                var s = members[i];
                var goesLeft = split.Kind == SplitKind.Threshold ? column[s] <= split.Threshold : HasBit(split, (int)column[s]);
                branchOf[s] = goesLeft ? 0 : 1;
            }
            branchCount = 2;
        }

        var offsets = new int[branchCount + 1];
        for (var i = start; i < end; i++) offsets[branchOf[members[i]] + 1]++;
        for (var b = 0; b < branchCount; b++) offsets[b + 1] += offsets[b];
        Partition(members, start, end, offsets);
        for (var f = 0; f < featureCount; f++) if (sorted[f] is { } order) Partition(order, start, end, offsets);

        ref var node = ref CollectionsMarshal.AsSpan(nodes)[id];
        node.Feature = split.Feature;
        node.Kind = split.Kind;
        node.Gain = split.Gain;
        switch (split.Kind)
        {
            case SplitKind.Threshold:
                node.Threshold = split.Threshold;
                break;
            case SplitKind.CategorySet:
                node.Table = masks.Count;
                var seenLeft = (split.Mask0, split.Mask1, split.Mask2, split.Mask3);
                if (split.UnseenLeft)
                {
                    // Categories absent from this node follow the heavier child.
                    CountCategories(split.Feature, start, end);
                    var here = present.ToHashSet();
                    ClearCategories();
                    for (var c = 0; c < FeatureMatrix.MaxCategories; c++) if (!here.Contains(c)) SetBit(ref split, c);
                }
                masks.AddRange([split.Mask0, split.Mask1, split.Mask2, split.Mask3, seenLeft.Mask0, seenLeft.Mask1, seenLeft.Mask2, seenLeft.Mask3]);
                break;
            default:
                node.Table = branches.Count;
                node.Branches = codes[^1] + 1;
                for (var b = 0; b < node.Branches; b++) branches.Add(-1);
                break;
        }
        node.Threshold = split.Kind == SplitKind.Threshold ? split.Threshold : double.NaN;
        for (var b = branchCount - 1; b >= 0; b--)
        {
            var slot = split.Kind == SplitKind.CategoryBranches ? codes[b] : b;
            stack.Push(new Work(start + offsets[b], start + offsets[b + 1], work.Depth + 1, id, slot));
        }
    }

    /// <summary>Stable bucket partition of a[start..end) by <see cref="branchOf"/>.</summary>
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
                if (branchOf[s] == 0) a[write++] = s;
                else scratch[aside++] = s;
            }
            Array.Copy(scratch, 0, a, write, aside);
            return;
        }
        var next = new int[offsets.Length];
        Array.Copy(offsets, next, offsets.Length);
        var span = scratch.AsSpan(0, end - start);
        a.AsSpan(start, end - start).CopyTo(span);
        foreach (var s in span) a[start + next[branchOf[s]]++] = s;
    }

    private double Impurity(ReadOnlySpan<double> counts, double weight)
    {
        if (weight <= 0) return 0;
        double sum = 0;
        if (options.Criterion == SplitCriterion.Gini)
        {
            foreach (var c in counts) sum += c * c;
            return 1 - sum / (weight * weight);
        }
        foreach (var c in counts) if (c > 0) sum -= c / weight * Math.Log(c / weight);
        return sum / Ln2;
    }

    private double WeightedImpurity(double[] leftCounts, double weightLeft, double[] parentCounts, double weight)
    {
        Span<double> right = stackalloc double[classCount];
        for (var k = 0; k < classCount; k++) right[k] = parentCounts[k] - leftCounts[k];
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
