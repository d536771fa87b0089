using System.Diagnostics;
using System.Globalization;
using SmartCrm.Analytics.Clustering;
using SmartCrm.Records;

namespace SmartCrm.Evaluation;

/// <summary>
/// k-means on the 36 z-scored interest columns of teen-sns, k = 5 and 20, ten starts, as peers.py runs
/// scikit-learn's KMeans(n_init=10, random_state=1).
/// </summary>
internal sealed class KMeansEvaluation : IEvaluationTask
{
    public string Name => "kmeans";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var (header, rows) = CsvRows.Read(context.PathOf("teen-sns", "snsdata.csv"));
        const int FirstInterest = 4;
        var columns = header.Length - FirstInterest;
        var raw = new double[rows.Count, columns];
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = 0; j < columns; j++) raw[i, j] = double.Parse(rows[i][FirstInterest + j], CultureInfo.InvariantCulture);
        }
        var points = FeatureScaling.ZScore(raw).Apply(raw);
        foreach (var k in new[] { 5, 20 })
        {
            var clock = Stopwatch.StartNew();
            var result = KMeans.Fit(points, new KMeansOptions { Clusters = k, Restarts = 10, Seed = 1 }, cancellationToken: cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            context.Report(Name, ("dataset", "teen-sns"), ("k", k), ("rows", rows.Count), ("cols", columns),
                ("inertia", Math.Round(result.Inertia, 1)), ("seconds", Math.Round(seconds, 3)));
        }
        return Task.CompletedTask;
    }
}
