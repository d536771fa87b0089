namespace SmartCrm.Analytics.Clustering;

/// <summary>
/// Silhouette coefficient of a clustering: for each point, (b − a) / max(a, b) where a is its mean distance to
/// the other points of its cluster and b the smallest mean distance to the points of another cluster. The score
/// is the mean over points, from −1 (wrong clusters) to 1 (tight, well separated). Euclidean distance, as
/// scikit-learn's silhouette_score; a point alone in its cluster counts 0.
/// </summary>
public static class Silhouette
{
    /// <summary>Exact mean silhouette over all points: n² distances, so keep it to a few tens of thousands of points.</summary>
    /// <param name="points">Points as rows; every value finite.</param>
    /// <param name="labels">Cluster of each point (any non-negative integers), at least 2 and at most n − 1 clusters.</param>
    /// <param name="cancellationToken">Stops the computation.</param>
    /// <exception cref="ArgumentException">Empty or non-finite points, labels of the wrong length or negative, or a cluster count outside 2..n−1.</exception>
    public static double Score(double[,] points, int[] labels, CancellationToken cancellationToken = default)
    {
        var data = PaddedPoints.From(points, nameof(points));
        var compact = Compact(labels, data.Rows, out var clusters);
        return Mean(Values(data, compact, clusters, cancellationToken));
    }

    /// <summary>
    /// Mean silhouette of a random sample of <paramref name="sampleSize"/> points, measured among the sample only
    /// (scikit-learn's silhouette_score with sample_size). Costs sampleSize² distances; all points when the
    /// sample would be as large as the data.
    /// </summary>
    /// <param name="points">Points as rows; every value finite.</param>
    /// <param name="labels">Cluster of each point (any non-negative integers).</param>
    /// <param name="sampleSize">Points to draw, at least 2.</param>
    /// <param name="seed">Seed for the draw.</param>
    /// <param name="cancellationToken">Stops the computation.</param>
    /// <exception cref="ArgumentException">As <see cref="Score"/>, or the sample holds fewer than 2 or all-but-none clusters.</exception>
    public static double SampledScore(double[,] points, int[] labels, int sampleSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        if (sampleSize < 2) throw new ArgumentException($"The sample must hold at least 2 points (was {sampleSize}).", nameof(sampleSize));
        var rows = points.GetLength(0);
        if (labels.Length != rows) throw new ArgumentException($"{labels.Length} labels for {rows} points.", nameof(labels));
        if (sampleSize >= rows) return Score(points, labels, cancellationToken);

        var order = new int[rows];
        for (var i = 0; i < rows; i++) order[i] = i;
        var random = new Random(seed);
        for (var i = 0; i < sampleSize; i++)
        {
            var j = random.Next(i, rows);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var columns = points.GetLength(1);
        var sample = new double[sampleSize, columns];
        var sampleLabels = new int[sampleSize];
        for (var i = 0; i < sampleSize; i++)
        {
            for (var f = 0; f < columns; f++) sample[i, f] = points[order[i], f];
            sampleLabels[i] = labels[order[i]];
        }
        return Score(sample, sampleLabels, cancellationToken);
    }

    /// <summary>Silhouette value of every point (exact).</summary>
    /// <exception cref="ArgumentException">As <see cref="Score"/>.</exception>
    public static double[] PointValues(double[,] points, int[] labels, CancellationToken cancellationToken = default)
    {
        var data = PaddedPoints.From(points, nameof(points));
        var compact = Compact(labels, data.Rows, out var clusters);
        return Values(data, compact, clusters, cancellationToken);
    }

    private static double[] Values(PaddedPoints data, int[] labels, int clusters, CancellationToken cancellationToken)
    {
        var n = data.Rows;
        var sizes = new int[clusters];
        foreach (var label in labels) sizes[label]++;
        var values = new double[n];
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        // Rows in blocks so each worker reuses its buffers; every row's sums are formed in one fixed order,
        // so the result does not depend on scheduling.
        const int Block = 64;
        Parallel.For(0, (n + Block - 1) / Block, options, () => (new double[n], new double[clusters]), (block, _, buffers) =>
        {
            var (distances, sums) = buffers;
            var end = Math.Min(n, (block + 1) * Block);
            for (var i = block * Block; i < end; i++)
            {
                var own = labels[i];
                if (sizes[own] == 1)
                {
                    values[i] = 0;
                    continue;
                }
                SquaredDistance.ToCenters(data.Row(i), data.Values, distances);
                Array.Clear(sums);
                for (var j = 0; j < n; j++) sums[labels[j]] += Math.Sqrt(distances[j]);
                var a = sums[own] / (sizes[own] - 1);
                var b = double.PositiveInfinity;
                for (var c = 0; c < clusters; c++)
                {
                    if (c != own && sizes[c] > 0) b = Math.Min(b, sums[c] / sizes[c]);
                }
                var spread = Math.Max(a, b);
                values[i] = spread > 0 ? (b - a) / spread : 0;
            }
            return buffers;
        }, _ => { });
        return values;
    }

    private static int[] Compact(int[] labels, int rows, out int clusters)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != rows) throw new ArgumentException($"{labels.Length} labels for {rows} points.", nameof(labels));
        var index = new Dictionary<int, int>();
        var compact = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"Label {labels[i]} of point {i} is negative.", nameof(labels));
            if (!index.TryGetValue(labels[i], out var c))
            {
                c = index.Count;
                index.Add(labels[i], c);
            }
            compact[i] = c;
        }
        clusters = index.Count;
        if (clusters < 2 || clusters > rows - 1)
        {
            throw new ArgumentException($"The silhouette needs between 2 and n − 1 = {rows - 1} clusters; the labels name {clusters}.", nameof(labels));
        }
        return compact;
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum / values.Length;
    }
}
