using System.Globalization;
using BenchmarkDotNet.Attributes;
using SmartCrm.Analytics.Clustering;

namespace SmartCrm.Bench.Analytics;

/// <summary>One k-means start on the z-scored teen-sns interests: the cost of each stage of a start.</summary>
[MemoryDiagnoser]
public class ClusteringBenchmarks
{
    private double[,] _points = new double[0, 0];

    [Params(5, 20)]
    public int Clusters { get; set; }

    [GlobalSetup]
    public void Load()
    {
        var lines = File.ReadAllLines(SharedData.PathOf("teen-sns", "snsdata.csv"));
        var raw = new double[lines.Length - 1, 36];
        for (var i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(',');
            for (var j = 0; j < 36; j++) raw[i - 1, j] = double.Parse(fields[4 + j], CultureInfo.InvariantCulture);
        }
        _points = FeatureScaling.ZScore(raw).Apply(raw);
    }

    [Benchmark(Baseline = true)]
    public double LloydFullScan() => Fit(new KMeansOptions { Assignment = KMeansAssignment.Lloyd, Refine = false, Swaps = 0 });

    [Benchmark]
    public double LloydHamerly() => Fit(new KMeansOptions { Refine = false, Swaps = 0 });

    [Benchmark]
    public double WithRefinement() => Fit(new KMeansOptions { Swaps = 0 });

    [Benchmark]
    public double WithRefinementAndSwaps() => Fit(new KMeansOptions());

    private double Fit(KMeansOptions options) =>
        KMeans.Fit(_points, options with { Clusters = Clusters, Restarts = 1, Seed = 1, MaxDegreeOfParallelism = 1 }).Inertia;
}
