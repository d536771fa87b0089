using FsCheck.Xunit;
using SmartCrm.Analytics.Clustering;

namespace SmartCrm.Analytics.Tests.Clustering;

public sealed class KMeansTests
{
    private static readonly KMeansOptions Plain = new() { Refine = false, Swaps = 0 };

    [Fact]
    public void Two_separated_groups_on_a_line_get_their_means_as_centroids()
    {
        // Groups {0, 1, 2} and {10, 11, 12}: means 1 and 11, each group's squared deviations sum to 1 + 0 + 1 = 2.
        var points = Column(0, 1, 2, 10, 11, 12);

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 2, Restarts = 3, Seed = 7 });

        var centroids = new[] { result.Centroids[0, 0], result.Centroids[1, 0] }.Order().ToArray();
        centroids.ShouldBe([1.0, 11.0], tolerance: 1e-12);
        result.Inertia.ShouldBe(4.0, tolerance: 1e-12);
        result.Labels[0].ShouldBe(result.Labels[2]);
        result.Labels[3].ShouldBe(result.Labels[5]);
        result.Labels[0].ShouldNotBe(result.Labels[3]);
        result.ClusterSizes().ShouldBe([3, 3]);
    }

    [Fact]
    public void One_cluster_is_the_mean_and_inertia_is_the_total_sum_of_squares()
    {
        // Mean (2, 4); squared deviations (1 + 1) + (0 + 0) + (1 + 1) = 4.
        var points = new double[,] { { 1, 3 }, { 2, 4 }, { 3, 5 } };

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 1 });

        result.Centroids[0, 0].ShouldBe(2, tolerance: 1e-12);
        result.Centroids[0, 1].ShouldBe(4, tolerance: 1e-12);
        result.Inertia.ShouldBe(4, tolerance: 1e-12);
        result.Labels.ShouldAllBe(label => label == 0);
    }

    [Fact]
    public void As_many_clusters_as_distinct_points_leaves_no_error()
    {
        var points = Column(3, -1, 8, 2.5);

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 4, Seed = 3 });

        result.Inertia.ShouldBe(0, tolerance: 1e-12);
        result.Labels.Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public void More_clusters_than_distinct_points_still_returns_a_valid_clustering()
    {
        var points = Column(5, 5, 5, 5, 9);

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 3, Seed = 1 });

        result.Inertia.ShouldBe(0, tolerance: 1e-12);
        result.Labels.ShouldAllBe(label => label >= 0 && label < 3);
        for (var i = 0; i < 5; i++) result.Centroids[result.Labels[i], 0].ShouldBe(points[i, 0]);
    }

    [Fact]
    public void A_single_point_forms_a_single_cluster()
    {
        var result = KMeans.Fit(new double[,] { { 1.5, -2 } }, new KMeansOptions { Clusters = 1 });

        result.Labels.ShouldBe([0]);
        result.Centroids[0, 1].ShouldBe(-2);
        result.Inertia.ShouldBe(0);
    }

    [Fact]
    public void A_constant_feature_keeps_its_value_in_every_centroid()
    {
        var points = new double[,] { { 0, 7 }, { 1, 7 }, { 10, 7 }, { 11, 7 } };

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 2, Seed = 2 });

        result.Centroids[0, 1].ShouldBe(7);
        result.Centroids[1, 1].ShouldBe(7);
        result.Inertia.ShouldBe(1, tolerance: 1e-12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_clustering_whether_starts_run_in_parallel_or_not()
    {
        var points = Blobs(300, 4, 3, seed: 11);

        var parallel = KMeans.Fit(points, new KMeansOptions { Clusters = 5, Seed = 42 });
        var sequential = KMeans.Fit(points, new KMeansOptions { Clusters = 5, Seed = 42, MaxDegreeOfParallelism = 1 });

        sequential.Inertia.ShouldBe(parallel.Inertia);
        sequential.Labels.ShouldBe(parallel.Labels);
        sequential.RestartInertias.ShouldBe(parallel.RestartInertias);
    }

    [Fact]
    public void The_best_start_wins()
    {
        var points = Blobs(200, 3, 6, seed: 5);

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 6, Restarts = 5, Seed = 9 });

        result.RestartInertias.Count.ShouldBe(5);
        result.Inertia.ShouldBe(result.RestartInertias.Min());
        result.RestartInertias[result.Restart].ShouldBe(result.Inertia);
    }

    [Fact]
    public void Predict_names_the_nearest_centroid()
    {
        var centroids = new double[,] { { 0, 0 }, { 10, 0 }, { 0, 10 } };
        var points = new double[,] { { 1, 1 }, { 9, -1 }, { 2, 7 }, { 6, 4.9 } };

        KMeans.Predict(centroids, points).ShouldBe([0, 1, 2, 1]);
    }

    [Fact]
    public void Predict_rejects_points_with_another_number_of_features()
    {
        var error = Should.Throw<ArgumentException>(() => KMeans.Predict(new double[,] { { 0, 0 } }, new double[,] { { 1, 2, 3 } }));
        error.Message.ShouldContain("3 features");
    }

    [Fact]
    public void No_points_is_rejected()
    {
        Should.Throw<ArgumentException>(() => KMeans.Fit(new double[0, 3], new KMeansOptions { Clusters = 1 }))
            .Message.ShouldContain("no rows");
    }

    [Fact]
    public void No_features_is_rejected()
    {
        Should.Throw<ArgumentException>(() => KMeans.Fit(new double[4, 0], new KMeansOptions { Clusters = 1 }))
            .Message.ShouldContain("no columns");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_value_that_is_not_finite_is_rejected_with_its_place(double bad)
    {
        var points = new double[,] { { 1, 2 }, { 3, bad } };

        var error = Should.Throw<ArgumentException>(() => KMeans.Fit(points, new KMeansOptions { Clusters = 1 }));

        error.Message.ShouldContain("Point 1, feature 1");
        error.ParamName.ShouldBe("points");
    }

    [Fact]
    public void More_clusters_than_points_is_rejected()
    {
        Should.Throw<ArgumentException>(() => KMeans.Fit(Column(1, 2), new KMeansOptions { Clusters = 3 }))
            .Message.ShouldContain("3 clusters from 2 points");
    }

    [Theory]
    [InlineData(0, 10, 300, 1e-4)]
    [InlineData(2, 0, 300, 1e-4)]
    [InlineData(2, 10, 0, 1e-4)]
    [InlineData(2, 10, 300, -1)]
    [InlineData(2, 10, 300, double.NaN)]
    public void Invalid_options_are_rejected(int clusters, int restarts, int iterations, double tolerance)
    {
        var options = new KMeansOptions { Clusters = clusters, Restarts = restarts, MaxIterations = iterations, Tolerance = tolerance };

        Should.Throw<ArgumentException>(() => KMeans.Fit(Column(1, 2, 3), options)).ParamName.ShouldBe("options");
    }

    [Fact]
    public void A_cancelled_run_stops()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Should.Throw<OperationCanceledException>(() => KMeans.Fit(Blobs(100, 2, 3, seed: 1), new KMeansOptions { Clusters = 3 }, cancellationToken: cancellation.Token));
    }

    [Fact]
    public void Progress_reports_every_phase_of_every_start()
    {
        var reports = new Reports();

        KMeans.Fit(Blobs(150, 2, 4, seed: 3), new KMeansOptions { Clusters = 4, Restarts = 2, Swaps = 1, MaxDegreeOfParallelism = 1 }, reports);

        reports.All.Select(r => r.Restart).Distinct().Order().ShouldBe([0, 1]);
        reports.All.Select(r => r.Phase).Distinct().Order().ShouldBe([KMeansPhase.Lloyd, KMeansPhase.Refinement, KMeansPhase.Swap]);
        reports.All.Where(r => r.Phase == KMeansPhase.Lloyd && r.Restart == 0).Select(r => r.Iteration).First().ShouldBe(1);
    }

    [Property(MaxTest = 60)]
    public bool Inertia_never_increases_from_one_iteration_to_the_next(int seed, byte size, byte clusters, bool refine)
    {
        var n = 1 + size % 80;
        var k = 1 + clusters % Math.Min(n, 7);
        var points = RandomPoints(n, 1 + Math.Abs(seed % 4), seed);
        var reports = new Reports();

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = k, Restarts = 2, Seed = seed, Refine = refine, Swaps = refine ? 2 : 0, MaxDegreeOfParallelism = 1 }, reports);

        foreach (var start in reports.All.GroupBy(r => r.Restart))
        {
            var inertias = start.Select(r => r.Inertia).ToArray();
            for (var i = 1; i < inertias.Length; i++)
            {
                if (inertias[i] > inertias[i - 1] * (1 + 1e-9) + 1e-9) return false;
            }
            if (result.RestartInertias[start.Key] > inertias[^1] * (1 + 1e-9) + 1e-9) return false;
        }
        return true;
    }

    [Property(MaxTest = 40)]
    public bool Bounded_assignment_finds_the_same_clustering_as_the_full_scan(int seed, byte size, byte clusters)
    {
        var n = 2 + size % 120;
        var k = 1 + clusters % Math.Min(n, 8);
        var points = RandomPoints(n, 3, seed);
        var options = new KMeansOptions { Clusters = k, Restarts = 2, Seed = seed, MaxDegreeOfParallelism = 1 };

        var full = KMeans.Fit(points, options with { Assignment = KMeansAssignment.Lloyd });
        var bounded = KMeans.Fit(points, options with { Assignment = KMeansAssignment.Hamerly });

        return full.Labels.SequenceEqual(bounded.Labels) && Math.Abs(full.Inertia - bounded.Inertia) <= 1e-9 * (1 + full.Inertia);
    }

    [Property(MaxTest = 40)]
    public bool Refinement_and_swaps_never_end_worse_than_plain_Lloyd_from_the_same_seed(int seed, byte size, byte clusters)
    {
        var n = 2 + size % 150;
        var k = 1 + clusters % Math.Min(n, 8);
        var points = RandomPoints(n, 2, seed);
        var options = new KMeansOptions { Clusters = k, Restarts = 3, Seed = seed, MaxDegreeOfParallelism = 1 };

        var plain = KMeans.Fit(points, options with { Refine = false, Swaps = 0 });
        var refined = KMeans.Fit(points, options);

        return refined.Inertia <= plain.Inertia * (1 + 1e-12) + 1e-12;
    }

    [Property(MaxTest = 40)]
    public bool Each_point_is_labelled_with_its_nearest_centroid_and_inertia_adds_up(int seed, byte size, byte clusters, bool refine)
    {
        var n = 2 + size % 150;
        var k = 1 + clusters % Math.Min(n, 8);
        var points = RandomPoints(n, 2, seed);

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = k, Restarts = 2, Seed = seed, Refine = refine, Swaps = refine ? 1 : 0 });

        double inertia = 0;
        for (var i = 0; i < n; i++)
        {
            for (var f = 0; f < 2; f++)
            {
                var d = points[i, f] - result.Centroids[result.Labels[i], f];
                inertia += d * d;
            }
        }
        return KMeans.Predict(result.Centroids, points).SequenceEqual(result.Labels)
            && Math.Abs(inertia - result.Inertia) <= 1e-9 * (1 + inertia);
    }

    [Fact]
    public void Plain_options_reproduce_Lloyd_with_the_tolerance_rule()
    {
        // Two clear blobs: plain Lloyd converges to the same partition with or without refinement.
        var points = Blobs(120, 2, 2, seed: 8);

        var plain = KMeans.Fit(points, Plain with { Clusters = 2, Seed = 4 });
        var refined = KMeans.Fit(points, new KMeansOptions { Clusters = 2, Seed = 4 });

        plain.Inertia.ShouldBe(refined.Inertia, tolerance: 1e-9);
        plain.RefinementPasses.ShouldBe(0);
        plain.Swaps.ShouldBe(0);
        plain.Iterations.ShouldBeGreaterThan(0);
    }

    internal static double[,] Column(params double[] values)
    {
        var points = new double[values.Length, 1];
        for (var i = 0; i < values.Length; i++) points[i, 0] = values[i];
        return points;
    }

    internal static double[,] RandomPoints(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var points = new double[rows, columns];
        for (var i = 0; i < rows; i++) for (var j = 0; j < columns; j++) points[i, j] = random.NextDouble() * 10 - 5;
        return points;
    }

    /// <summary>Gaussian-ish blobs around centres 20 apart, so the right clustering is obvious.</summary>
    internal static double[,] Blobs(int rows, int columns, int blobs, int seed)
    {
        var random = new Random(seed);
        var points = new double[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            var blob = i % blobs;
            for (var j = 0; j < columns; j++)
            {
                var noise = random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5;
                points[i, j] = (j == blob % columns ? 20 * (1 + blob / columns) : 0) + noise;
            }
        }
        return points;
    }

    private sealed class Reports : IProgress<KMeansProgress>
    {
        private readonly List<KMeansProgress> _all = [];

        public IReadOnlyList<KMeansProgress> All
        {
            get
            {
                lock (_all) return _all.ToArray();
            }
        }

        public void Report(KMeansProgress value)
        {
            lock (_all) _all.Add(value);
        }
    }
}
