namespace SmartCrm.Analytics.Clustering;

/// <summary>
/// k-means clustering: greedy k-means++ seeding, several independent starts, Lloyd iterations with a
/// vectorised assignment step (Hamerly's bounds by default), then optional Hartigan refinement and swap
/// search, which find lower inertia than Lloyd alone from the same starts.
/// </summary>
public static class KMeans
{
    /// <summary>
    /// Clusters <paramref name="points"/> (one row per point) into <see cref="KMeansOptions.Clusters"/> groups.
    /// </summary>
    /// <param name="points">Points as rows, features as columns; every value finite.</param>
    /// <param name="options">Number of clusters, starts, tolerance, seed.</param>
    /// <param name="progress">Optional observer of each iteration; called from worker threads when starts run in parallel.</param>
    /// <param name="cancellationToken">Stops the run between iterations.</param>
    /// <exception cref="ArgumentException">No points, non-finite values, or more clusters than points.</exception>
    public static KMeansResult Fit(double[,] points, KMeansOptions options, IProgress<KMeansProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var data = PaddedPoints.From(points, nameof(points));
        if (options.Clusters > data.Rows)
        {
            throw new ArgumentException($"Cannot make {options.Clusters} clusters from {data.Rows} points: k must not exceed the number of points.", nameof(options));
        }
        var tolerance = options.Tolerance * MeanVariance(data);
        var master = new Random(options.Seed);
        var seeds = new int[options.Restarts];
        for (var r = 0; r < seeds.Length; r++) seeds[r] = master.Next();

        var outcomes = new KMeansStart[options.Restarts];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        if (options.Restarts == 1 || options.MaxDegreeOfParallelism == 1)
        {
            for (var r = 0; r < outcomes.Length; r++) outcomes[r] = KMeansStart.Run(data, options, tolerance, r, seeds[r], progress, cancellationToken);
        }
        else
        {
            Parallel.For(0, outcomes.Length, parallel, r => outcomes[r] = KMeansStart.Run(data, options, tolerance, r, seeds[r], progress, cancellationToken));
        }

        var best = 0;
        var inertias = new double[outcomes.Length];
        for (var r = 0; r < outcomes.Length; r++)
        {
            inertias[r] = outcomes[r].Inertia;
            if (inertias[r] < inertias[best]) best = r;
        }
        var winner = outcomes[best];
        return new KMeansResult(
            PaddedPoints.Unpad(winner.Centers, options.Clusters, data.Columns, data.Stride),
            winner.Labels, winner.Inertia, winner.Iterations, winner.RefinementPasses, winner.Swaps, best, inertias);
    }

    /// <summary>Index of the nearest centroid (lowest index on ties) for each row of <paramref name="points"/>.</summary>
    /// <exception cref="ArgumentException">Empty or non-finite input, or feature counts that differ.</exception>
    public static int[] Predict(double[,] centroids, double[,] points)
    {
        var centers = PaddedPoints.From(centroids, nameof(centroids));
        var data = PaddedPoints.From(points, nameof(points));
        if (centers.Columns != data.Columns)
        {
            throw new ArgumentException($"Points have {data.Columns} features but the centroids have {centers.Columns}.", nameof(points));
        }
        var labels = new int[data.Rows];
        var distances = new double[centers.Rows];
        for (var i = 0; i < data.Rows; i++)
        {
            SquaredDistance.ToCenters(data.Row(i), centers.Values, distances);
            var best = 0;
            var bestDistance = double.PositiveInfinity;
            for (var j = 0; j < centers.Rows; j++)
            {
                var d = distances[j];
                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = j;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    private static void Check(KMeansOptions options)
    {
        if (options.Clusters < 1) throw new ArgumentException($"Clusters must be at least 1 (was {options.Clusters}).", nameof(options));
        if (options.Restarts < 1) throw new ArgumentException($"Restarts must be at least 1 (was {options.Restarts}).", nameof(options));
        if (options.MaxIterations < 1) throw new ArgumentException($"MaxIterations must be at least 1 (was {options.MaxIterations}).", nameof(options));
        if (!(options.Tolerance >= 0) || double.IsInfinity(options.Tolerance))
        {
            throw new ArgumentException($"Tolerance must be a finite number of at least 0 (was {options.Tolerance}).", nameof(options));
        }
        if (options.Swaps < 0) throw new ArgumentException($"Swaps must be at least 0 (was {options.Swaps}).", nameof(options));
        if (options.MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentException($"MaxDegreeOfParallelism must be -1 or positive (was {options.MaxDegreeOfParallelism}).", nameof(options));
        }
        if (!Enum.IsDefined(options.Assignment)) throw new ArgumentException($"Unknown assignment strategy {options.Assignment}.", nameof(options));
    }

    /// <summary>Mean over features of the population variance: the scale scikit-learn's tolerance is relative to.</summary>
    private static double MeanVariance(PaddedPoints data)
    {
        double total = 0;
        for (var j = 0; j < data.Columns; j++)
        {
            double mean = 0;
            for (var i = 0; i < data.Rows; i++) mean += data.Values[i * data.Stride + j];
            mean /= data.Rows;
            double squares = 0;
            for (var i = 0; i < data.Rows; i++)
            {
                var d = data.Values[i * data.Stride + j] - mean;
                squares += d * d;
            }
            total += squares / data.Rows;
        }
        return total / data.Columns;
    }
}
