using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>Sum of gradients, Hessians and rows falling in one histogram bin.</summary>
internal struct HistogramBin
{
    public double Gradient;
    public double Hessian;
    public int Count;
}

/// <summary>One regression tree of a boosted ensemble, with leaf and inner-node values already shrunk.</summary>
internal sealed class BoostedTree(int[] feature, double[] threshold, byte[] binThreshold, bool[] categorical, ulong[] masks,
    int[] left, int[] right, double[] value, double[] gain)
{
    public double RootValue => value[0];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double ValueOfBinned(byte[][] binned, int row)
    {
        var id = 0;
        while (feature[id] >= 0)
        {
            var bin = binned[feature[id]][row];
            var goLeft = categorical[id] ? InMask(id, bin) : bin <= binThreshold[id];
            id = goLeft ? left[id] : right[id];
        }
        return value[id];
    }

    /// <summary>Adds the tree's value for every training row to <paramref name="raw"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddTo(double[] raw, byte[][] binned)
    {
        for (var r = 0; r < raw.Length; r++) raw[r] += ValueOfBinned(binned, r);
    }

    public double ValueOf(ReadOnlySpan<double> row) => value[LeafOf(row, null)];

    public double AddContributions(ReadOnlySpan<double> row, Span<double> byFeature) => value[LeafOf(row, byFeature)];

    public void AddGains(double[] importance)
    {
        for (var i = 0; i < feature.Length; i++) if (feature[i] >= 0) importance[feature[i]] += gain[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int LeafOf(ReadOnlySpan<double> row, Span<double> byFeature)
    {
        var id = 0;
        while (feature[id] >= 0)
        {
            var x = row[feature[id]];
            var goLeft = categorical[id] ? (uint)(int)x < 256 && InMask(id, (int)x) : x <= threshold[id];
            var next = goLeft ? left[id] : right[id];
            if (!byFeature.IsEmpty) byFeature[feature[id]] += value[next] - value[id];
            id = next;
        }
        return id;
    }

    private bool InMask(int id, int code) => (masks[id * 4 + (code >> 6)] & (1UL << (code & 63))) != 0;
}

/// <summary>
/// Grows one boosting tree on binned features: histograms of gradient and Hessian per bin, best-first expansion,
/// the larger child's histogram obtained as parent minus smaller child.
/// </summary>
internal sealed class HistogramTreeGrowth
{
    private readonly FeatureBins _bins;
    private readonly byte[][] _binned;
    private readonly double[] _gradients;
    private readonly double[] _hessians;
    private readonly GradientBoostingOptions _options;
    private readonly int[] _offsets;
    private readonly int _totalBins;
    private readonly Stack<HistogramBin[]> _pool = new();
    private int[] _rows = [];
    private int[] _scratch = [];

    public HistogramTreeGrowth(FeatureBins bins, byte[][] binned, double[] gradients, double[] hessians, GradientBoostingOptions options)
    {
        this._bins = bins;
        this._binned = binned;
        this._gradients = gradients;
        this._hessians = hessians;
        this._options = options;
        _offsets = new int[bins.Columns + 1];
        for (var f = 0; f < bins.Columns; f++) _offsets[f + 1] = _offsets[f] + bins.Counts[f];
        _totalBins = _offsets[^1];
    }

    private sealed class Node
    {
        public int Start, End, Depth;
        public double Gradient, Hessian;
        public HistogramBin[]? Histogram;
        public int Feature = -1;
        public byte BinThreshold;
        public bool Categorical;
        public ulong[] Mask = new ulong[4];
        public double Gain;
        public double LeftGradient, LeftHessian;
        public int Left = -1, Right = -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public BoostedTree Grow(int[] inBag)
    {
        if (_rows.Length < inBag.Length) { _rows = new int[inBag.Length]; _scratch = new int[inBag.Length]; }
        Array.Copy(inBag, _rows, inBag.Length);
        var nodes = new List<Node>();
        var root = new Node { Start = 0, End = inBag.Length, Depth = 0 };
        foreach (var r in inBag) { root.Gradient += _gradients[r]; root.Hessian += _hessians[r]; }
        nodes.Add(root);
        var maxLeaves = _options.MaxLeaves ?? int.MaxValue;
        var candidates = new PriorityQueue<Node, double>();
        if (Splittable(root))
        {
            root.Histogram = Build(root);
            if (FindSplit(root)) candidates.Enqueue(root, -root.Gain);
            else Release(root);
        }
        var leaves = 1;
        while (candidates.Count > 0 && leaves < maxLeaves)
        {
            var node = candidates.Dequeue();
            var middle = Partition(node);
            var left = new Node { Start = node.Start, End = middle, Depth = node.Depth + 1, Gradient = node.LeftGradient, Hessian = node.LeftHessian };
            var right = new Node { Start = middle, End = node.End, Depth = node.Depth + 1, Gradient = node.Gradient - node.LeftGradient, Hessian = node.Hessian - node.LeftHessian };
            node.Left = nodes.Count;
            nodes.Add(left);
            node.Right = nodes.Count;
            nodes.Add(right);
            leaves++;
            if (Splittable(left) || Splittable(right))
            {
                var (small, large) = left.End - left.Start <= right.End - right.Start ? (left, right) : (right, left);
                small.Histogram = Build(small);
                large.Histogram = node.Histogram!;
                node.Histogram = null;
                Subtract(large.Histogram, small.Histogram);
                foreach (var child in (Node[])[left, right])
                {
                    if (Splittable(child) && FindSplit(child)) candidates.Enqueue(child, -child.Gain);
                    else Release(child);
                }
            }
            else Release(node);
        }
        while (candidates.Count > 0) Release(candidates.Dequeue());
        foreach (var n in nodes)
            if (n.Left < 0) { n.Feature = -1; Release(n); }
        return Freeze(nodes);
    }

    private bool Splittable(Node node) => node.Depth < _options.MaxDepth && node.End - node.Start >= 2 * _options.MinSamplesLeaf;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private HistogramBin[] Build(Node node)
    {
        var histogram = _pool.Count > 0 ? _pool.Pop() : new HistogramBin[_totalBins];
        Array.Clear(histogram);
        var span = _rows.AsSpan(node.Start, node.End - node.Start);
        for (var f = 0; f < _bins.Columns; f++)
        {
            var column = _binned[f];
            var h = histogram.AsSpan(_offsets[f], _bins.Counts[f]);
            foreach (var r in span)
            {
                ref var bin = ref h[column[r]];
                bin.Gradient += _gradients[r];
                bin.Hessian += _hessians[r];
                bin.Count++;
            }
        }
        return histogram;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Subtract(HistogramBin[] from, HistogramBin[] part)
    {
        for (var i = 0; i < from.Length; i++)
        {
            from[i].Gradient -= part[i].Gradient;
            from[i].Hessian -= part[i].Hessian;
            from[i].Count -= part[i].Count;
        }
    }

    private void Release(Node node)
    {
        if (node.Histogram is null) return;
        _pool.Push(node.Histogram);
        node.Histogram = null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FindSplit(Node node)
    {
        var lambda = _options.L2;
        var (g, h) = (node.Gradient, node.Hessian);
        var count = node.End - node.Start;
        var parentScore = g * g / (h + lambda);
        var minLeaf = _options.MinSamplesLeaf;
        var minHessian = _options.MinHessianLeaf;
        var histogram = node.Histogram!;
        node.Gain = 1e-12;
        var found = false;
        for (var f = 0; f < _bins.Columns; f++)
        {
            var hist = histogram.AsSpan(_offsets[f], _bins.Counts[f]);
            if (_bins.Kinds[f] == FeatureKind.Numeric)
            {
                double gl = 0, hl = 0;
                var cl = 0;
                for (var b = 0; b < hist.Length - 1; b++)
                {
                    gl += hist[b].Gradient;
                    hl += hist[b].Hessian;
                    cl += hist[b].Count;
                    if (cl < minLeaf || hl < minHessian) continue;
                    if (count - cl < minLeaf || h - hl < minHessian) break;
                    var gain = gl * gl / (hl + lambda) + (g - gl) * (g - gl) / (h - hl + lambda) - parentScore;
                    if (gain > node.Gain)
                    {
                        (node.Gain, node.Feature, node.BinThreshold, node.Categorical) = (gain, f, (byte)b, false);
                        (node.LeftGradient, node.LeftHessian) = (gl, hl);
                        found = true;
                    }
                }
            }
            else found |= FindCategorySplit(node, f, hist, parentScore);
        }
        return found;
    }

    /// <summary>LightGBM's categorical split: order the categories by gradient / (Hessian + smoothing) and cut that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FindCategorySplit(Node node, int f, Span<HistogramBin> hist, double parentScore)
    {
        var used = new List<int>();
        for (var b = 0; b < hist.Length; b++) if (hist[b].Count > 0) used.Add(b);
        if (used.Count < 2) return false;
        var keys = new double[used.Count];
        var order = used.ToArray();
        for (var i = 0; i < order.Length; i++) keys[i] = hist[order[i]].Gradient / (hist[order[i]].Hessian + _options.CategorySmoothing);
        Array.Sort(keys, order);
        var lambda = _options.L2;
        var (g, h, count) = (node.Gradient, node.Hessian, node.End - node.Start);
        double gl = 0, hl = 0;
        var cl = 0;
        var found = false;
        for (var i = 0; i < order.Length - 1; i++)
        {
            gl += hist[order[i]].Gradient;
            hl += hist[order[i]].Hessian;
            cl += hist[order[i]].Count;
            if (cl < _options.MinSamplesLeaf || hl < _options.MinHessianLeaf) continue;
            if (count - cl < _options.MinSamplesLeaf || h - hl < _options.MinHessianLeaf) continue;
            var gain = gl * gl / (hl + lambda) + (g - gl) * (g - gl) / (h - hl + lambda) - parentScore;
            if (gain > node.Gain)
            {
                (node.Gain, node.Feature, node.Categorical) = (gain, f, true);
                (node.LeftGradient, node.LeftHessian) = (gl, hl);
                Array.Clear(node.Mask);
                for (var j = 0; j <= i; j++) node.Mask[order[j] >> 6] |= 1UL << (order[j] & 63);
                found = true;
            }
        }
        return found;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Partition(Node node)
    {
        var column = _binned[node.Feature];
        var span = _rows.AsSpan(node.Start, node.End - node.Start);
        var leftCount = 0;
        var rightCount = 0;
        var buffer = _scratch.AsSpan(0, span.Length);
        foreach (var r in span)
        {
            var bin = column[r];
            var goLeft = node.Categorical ? (node.Mask[bin >> 6] & (1UL << (bin & 63))) != 0 : bin <= node.BinThreshold;
            if (goLeft) span[leftCount++] = r;
            else buffer[rightCount++] = r;
        }
        buffer[..rightCount].CopyTo(span[leftCount..]);
        return node.Start + leftCount;
    }

    private BoostedTree Freeze(List<Node> nodes)
    {
        var n = nodes.Count;
        var feature = new int[n];
        var threshold = new double[n];
        var binThreshold = new byte[n];
        var categorical = new bool[n];
        var masks = new ulong[n * 4];
        var left = new int[n];
        var right = new int[n];
        var value = new double[n];
        var gain = new double[n];
        for (var i = 0; i < n; i++)
        {
            var node = nodes[i];
            value[i] = -node.Gradient / (node.Hessian + _options.L2) * _options.LearningRate;
            feature[i] = node.Left >= 0 ? node.Feature : -1;
            left[i] = node.Left;
            right[i] = node.Right;
            if (feature[i] < 0) continue;
            gain[i] = node.Gain;
            categorical[i] = node.Categorical;
            binThreshold[i] = node.BinThreshold;
            threshold[i] = node.Categorical ? double.NaN : _bins.Thresholds[node.Feature][node.BinThreshold];
            node.Mask.CopyTo(masks, i * 4);
        }
        return new BoostedTree(feature, threshold, binThreshold, categorical, masks, left, right, value, gain);
    }
}
