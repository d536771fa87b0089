using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>
/// Histogram binning of a feature matrix for boosting: each numeric column is cut at up to MaxBins − 1 thresholds
/// (midpoints between distinct values when there are few, quantiles otherwise, as scikit-learn's
/// HistGradientBoosting does), each categorical column keeps its codes as bins. Bin b holds the values
/// x ≤ Thresholds[b] not in an earlier bin, so "bin ≤ b" and "x ≤ Thresholds[b]" are the same test.
/// </summary>
internal sealed class FeatureBins
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public FeatureBins(FeatureMatrix x, int maxBins)
    {
        Columns = x.Columns;
        Thresholds = new double[Columns][];
        Counts = new int[Columns];
        Kinds = [.. x.Kinds];
        var column = new double[x.Rows];
        for (var f = 0; f < Columns; f++)
        {
            if (Kinds[f] == FeatureKind.Categorical)
            {
                var max = 0;
                for (var r = 0; r < x.Rows; r++) max = Math.Max(max, (int)x[r, f]);
                Thresholds[f] = [];
                Counts[f] = max + 1;
                continue;
            }
            for (var r = 0; r < x.Rows; r++) column[r] = x[r, f];
            Array.Sort(column);
            var distinct = new List<double>();
            foreach (var v in column) if (distinct.Count == 0 || v != distinct[^1]) distinct.Add(v);
            var edges = new List<double>();
            if (distinct.Count <= maxBins)
            {
                for (var i = 0; i + 1 < distinct.Count; i++) edges.Add(Midpoint(distinct[i], distinct[i + 1]));
            }
            else
            {
                for (var q = 1; q < maxBins; q++)
                {
                    var at = (int)((long)q * column.Length / maxBins);
                    var edge = Midpoint(column[Math.Max(at - 1, 0)], column[at]);
                    if (edges.Count == 0 || edge > edges[^1]) edges.Add(edge);
                }
            }
            Thresholds[f] = [.. edges];
            Counts[f] = edges.Count + 1;
        }
    }

    public int Columns { get; }

    /// <summary>Per numeric column, the upper edge of every bin but the last.</summary>
    public double[][] Thresholds { get; }

    /// <summary>Number of bins per column.</summary>
    public int[] Counts { get; }

    public FeatureKind[] Kinds { get; }

    /// <summary>The bin of every row, column by column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public byte[][] Bin(FeatureMatrix x)
    {
        var result = new byte[Columns][];
        for (var f = 0; f < Columns; f++)
        {
            var bins = new byte[x.Rows];
            var edges = Thresholds[f];
            for (var r = 0; r < x.Rows; r++) bins[r] = (byte)(Kinds[f] == FeatureKind.Categorical ? (int)x[r, f] : BinOf(edges, x[r, f]));
            result[f] = bins;
        }
        return result;
    }

    /// <summary>The first bin whose upper edge is at least <paramref name="value"/>.</summary>
    public static int BinOf(double[] edges, double value)
    {
        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static double Midpoint(double a, double b)
    {
        var m = a / 2 + b / 2;
        return m >= b || m < a ? a : m;
    }
}
