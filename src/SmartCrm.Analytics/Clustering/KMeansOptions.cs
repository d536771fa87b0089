namespace SmartCrm.Analytics.Clustering;

/// <summary>How the assignment step finds each point's nearest centroid. All give the same clustering.</summary>
public enum KMeansAssignment
{
    /// <summary>Every point against every centroid on every iteration (plain Lloyd).</summary>
    Lloyd,

    /// <summary>
    /// Hamerly's bounds: one upper and one lower distance bound per point let most points skip the scan once
    /// the centroids settle. Same result as <see cref="Lloyd"/>, far fewer distance computations. (Elkan's
    /// per-centroid bounds were measured too: on teen-sns, k = 20, updating n·k bounds cost more than they saved.)
    /// </summary>
    Hamerly,
}

/// <summary>Settings for <see cref="KMeans.Fit"/>. The defaults follow scikit-learn's KMeans.</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of clusters k (at least 1, at most the number of points).</summary>
    public int Clusters { get; init; } = 8;

    /// <summary>Independent k-means++ starts; the one with the lowest inertia wins (scikit-learn's n_init).</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Upper limit on Lloyd iterations per start.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>
    /// Convergence tolerance relative to the data: a start stops when the summed squared centroid movement of
    /// one iteration is at most this times the mean per-feature variance (scikit-learn's tol).
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Seed for the k-means++ draws; the same seed and data give the same result on any machine.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// After Lloyd converges, move single points between clusters while that lowers the inertia (Hartigan's
    /// rule, R's default k-means). Lloyd stops at any partition where each point is nearest its own centroid;
    /// this escapes many of those local optima for little extra time. Off, with <see cref="Swaps"/> 0, gives
    /// plain scikit-learn behaviour.
    /// </summary>
    public bool Refine { get; init; } = true;

    /// <summary>
    /// Swap trials per start after convergence: one centroid is moved onto a well-chosen data point, the start
    /// converges again, and the move is kept only if the inertia fell. 0 turns the search off.
    /// </summary>
    public int Swaps { get; init; } = 4;

    /// <summary>Assignment-step strategy; see <see cref="KMeansAssignment"/>.</summary>
    public KMeansAssignment Assignment { get; init; } = KMeansAssignment.Hamerly;

    /// <summary>How many starts may run at once; -1 uses every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>Which part of a k-means start a progress report comes from.</summary>
public enum KMeansPhase
{
    /// <summary>A Lloyd iteration (assignment, then centroid update).</summary>
    Lloyd,

    /// <summary>A pass of single-point moves after Lloyd converged (see <see cref="KMeansOptions.Refine"/>).</summary>
    Refinement,

    /// <summary>A swap trial (see <see cref="KMeansOptions.Swaps"/>); reports the best inertia so far.</summary>
    Swap,
}

/// <summary>
/// One progress report: the inertia of the current partition measured against its own cluster means, after
/// an iteration or refinement pass of one start. Within a start the values never increase.
/// </summary>
/// <param name="Restart">Index of the start (0-based). Starts may run in parallel, so reports interleave.</param>
/// <param name="Iteration">Iteration, pass or trial number within the phase, from 1.</param>
/// <param name="Phase">The phase the report comes from.</param>
/// <param name="Inertia">Sum of squared distances from each point to the mean of its cluster.</param>
public readonly record struct KMeansProgress(int Restart, int Iteration, KMeansPhase Phase, double Inertia);

/// <summary>The outcome of <see cref="KMeans.Fit"/>: the best of all starts.</summary>
public sealed class KMeansResult
{
    internal KMeansResult(double[,] centroids, int[] labels, double inertia, int iterations, int refinementPasses, int swaps, int restart, double[] restartInertias)
    {
        Swaps = swaps;
        Centroids = centroids;
        Labels = labels;
        Inertia = inertia;
        Iterations = iterations;
        RefinementPasses = refinementPasses;
        Restart = restart;
        RestartInertias = restartInertias;
    }

    /// <summary>Cluster centres, one row per cluster, in the caller's feature order.</summary>
    public double[,] Centroids { get; }

    /// <summary>Cluster index of each point, in the caller's row order.</summary>
    public int[] Labels { get; }

    /// <summary>Sum of squared distances from each point to its centroid (scikit-learn's inertia_).</summary>
    public double Inertia { get; }

    /// <summary>Lloyd iterations the winning start ran (scikit-learn's n_iter_).</summary>
    public int Iterations { get; }

    /// <summary>Refinement passes the winning start ran (0 when refinement is off).</summary>
    public int RefinementPasses { get; }

    /// <summary>Swap trials of the winning start that lowered its inertia.</summary>
    public int Swaps { get; }

    /// <summary>Index of the winning start.</summary>
    public int Restart { get; }

    /// <summary>Final inertia of every start, by start index.</summary>
    public IReadOnlyList<double> RestartInertias { get; }

    /// <summary>Number of points in each cluster.</summary>
    public int[] ClusterSizes()
    {
        var sizes = new int[Centroids.GetLength(0)];
        foreach (var label in Labels) sizes[label]++;
        return sizes;
    }
}
