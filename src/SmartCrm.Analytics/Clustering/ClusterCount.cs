namespace SmartCrm.Analytics.Clustering;

/// <summary>One k tried by <see cref="ClusterCount.Choose"/>.</summary>
/// <param name="Clusters">The k tried.</param>
/// <param name="Inertia">k-means inertia at that k.</param>
/// <param name="Silhouette">Mean silhouette at that k (sampled when the data are larger than the sample).</param>
public sealed record ClusterCountCandidate(int Clusters, double Inertia, double Silhouette);

/// <summary>The candidates tried and the k each rule picks.</summary>
/// <param name="Candidates">Every k tried, in increasing order.</param>
/// <param name="BySilhouette">The k with the highest mean silhouette.</param>
/// <param name="ByElbow">
/// The k at the elbow of the inertia curve: with k and inertia both scaled to [0, 1], the point farthest
/// from the straight line between the first and last candidates (the "Kneedle" rule).
/// </param>
public sealed record ClusterCountChoice(IReadOnlyList<ClusterCountCandidate> Candidates, int BySilhouette, int ByElbow);

/// <summary>Choice of the number of clusters k over a range, by silhouette and by the elbow of the inertia curve.</summary>
public static class ClusterCount
{
    /// <summary>Runs k-means for every k in [<paramref name="minClusters"/>, <paramref name="maxClusters"/>] and scores each.</summary>
    /// <param name="points">Points as rows; every value finite.</param>
    /// <param name="minClusters">Smallest k, at least 2 (the silhouette needs two clusters).</param>
    /// <param name="maxClusters">Largest k, below the number of points.</param>
    /// <param name="options">k-means settings; <see cref="KMeansOptions.Clusters"/> is overridden.</param>
    /// <param name="silhouetteSample">Points sampled for the silhouette when there are more (its cost is the square of this).</param>
    /// <param name="progress">Receives each k as it is finished.</param>
    /// <param name="cancellationToken">Stops between and within runs.</param>
    /// <exception cref="ArgumentException">A bad range, or the points are not valid for k-means.</exception>
    public static ClusterCountChoice Choose(double[,] points, int minClusters, int maxClusters, KMeansOptions options,
        int silhouetteSample = 2000, IProgress<ClusterCountCandidate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        if (minClusters < 2) throw new ArgumentException($"The smallest k must be at least 2 (was {minClusters}).", nameof(minClusters));
        if (maxClusters < minClusters) throw new ArgumentException($"The largest k ({maxClusters}) is below the smallest ({minClusters}).", nameof(maxClusters));
        if (maxClusters >= points.GetLength(0))
        {
            throw new ArgumentException($"The largest k ({maxClusters}) must be below the number of points ({points.GetLength(0)}).", nameof(maxClusters));
        }
        var candidates = new List<ClusterCountCandidate>();
        for (var k = minClusters; k <= maxClusters; k++)
        {
            var result = KMeans.Fit(points, options with { Clusters = k }, cancellationToken: cancellationToken);
            var silhouette = result.ClusterSizes().Count(size => size > 0) < 2
                ? 0
                : Silhouette.SampledScore(points, result.Labels, silhouetteSample, options.Seed, cancellationToken);
            var candidate = new ClusterCountCandidate(k, result.Inertia, silhouette);
            candidates.Add(candidate);
            progress?.Report(candidate);
        }
        var bySilhouette = candidates[0];
        foreach (var c in candidates) if (c.Silhouette > bySilhouette.Silhouette) bySilhouette = c;
        return new ClusterCountChoice(candidates, bySilhouette.Clusters, Elbow(candidates));
    }

    /// <summary>The k whose (scaled) inertia lies farthest below the chord from the first to the last candidate.</summary>
    internal static int Elbow(IReadOnlyList<ClusterCountCandidate> candidates)
    {
        var first = candidates[0];
        var last = candidates[^1];
        var inertiaSpan = first.Inertia - last.Inertia;
        if (candidates.Count < 3 || inertiaSpan <= 0) return first.Clusters;
        var kSpan = (double)(last.Clusters - first.Clusters);
        var best = first.Clusters;
        var bestGap = 0.0;
        foreach (var c in candidates)
        {
            var x = (c.Clusters - first.Clusters) / kSpan;
            var y = (first.Inertia - c.Inertia) / inertiaSpan;
            // The chord runs from (0, 0) to (1, 1); a convex decreasing curve bulges above it.
            var gap = y - x;
            if (gap > bestGap)
            {
                bestGap = gap;
                best = c.Clusters;
            }
        }
        return best;
    }
}
