using System.Diagnostics;
using System.Globalization;
using SmartCrm.Analytics.Evaluation;
using SmartCrm.Analytics.Recommendation;

namespace SmartCrm.Evaluation;

/// <summary>
/// Rating prediction on the five standard ml-100k folds (u1..u5) and top-10 ranking on u1. peers.py has no
/// recommender task; the published anchors are Surprise's 5-fold figures (SVD 0.934, SVD++ 0.919) and
/// Microsoft Recommenders' BPR on a 75/25 split (P@10 0.388, NDCG@10 0.442).
/// </summary>
internal sealed class RecommendEvaluation : IEvaluationTask
{
    // Chosen on a 10 % hold-out of u1.base (never on the test folds).
    private static readonly FactorizationOptions Svd = new() { Factors = 50, Epochs = 60, LearningRate = 0.015, Regularization = 0.1, LearningRateDecay = 0.97, Seed = 1 };
    private static readonly FactorizationOptions SvdPlus = new() { Factors = 50, Epochs = 40, LearningRate = 0.007, Regularization = 0.15, LearningRateDecay = 0.97, Seed = 1 };
    private static readonly ImplicitAlsOptions Als = new() { Factors = 32, Alpha = 1, Regularization = 20, Iterations = 15, Seed = 1 };
    private static readonly ItemKnnOptions Knn = new() { Neighbours = 200, Shrinkage = 20 };

    public string Name => "recommend";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var folds = Enumerable.Range(1, 5).Select(f => (Train: Read(context, $"u{f}.base"), Test: Read(context, $"u{f}.test"))).ToArray();
        foreach (var (name, fit) in new (string, Func<RatingTable, IRatingPredictor>)[]
        {
            ("BaselineOnly", t => BaselineModel.Fit(t, new BaselineOptions())),
            ("SVD", t => MatrixFactorization.Fit(t, Svd, cancellationToken: cancellationToken)),
            ("SVD++", t => SvdPlusPlus.Fit(t, SvdPlus, cancellationToken: cancellationToken)),
        })
        {
            double rmse = 0, mae = 0, seconds = 0, slowest = 0;
            foreach (var (train, test) in folds)
            {
                var clock = Stopwatch.StartNew();
                var model = fit(RatingTable.From(train));
                var predicted = new double[test.Count];
                var actual = new double[test.Count];
                for (var r = 0; r < test.Count; r++)
                {
                    predicted[r] = model.Predict(test[r].User, test[r].Item);
                    actual[r] = test[r].Value;
                }
                var elapsed = clock.Elapsed.TotalSeconds;
                rmse += Metrics.Rmse(actual, predicted) / folds.Length;
                mae += Metrics.Mae(actual, predicted) / folds.Length;
                seconds += elapsed / folds.Length;
                slowest = Math.Max(slowest, elapsed);
            }
            context.Report(Name, ("dataset", "ml-100k"), ("model", name), ("folds", folds.Length), ("rmse", Math.Round(rmse, 4)),
                ("mae", Math.Round(mae, 4)), ("seconds", Math.Round(seconds, 3)), ("slowest_fold_seconds", Math.Round(slowest, 3)));
        }

        var (u1Train, u1Test) = folds[0];
        var relevant = u1Test.GroupBy(r => r.User).ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.Select(r => r.Item).ToHashSet());
        foreach (var (name, fit) in new (string, Func<RatingTable, IItemRanker>)[]
        {
            ("MostPopular", PopularItems.Fit),
            ("ItemKNN", t => ItemKnn.Fit(t, Knn, cancellationToken)),
            ("ImplicitALS", t => ImplicitAls.Fit(t, Als, cancellationToken: cancellationToken)),
        })
        {
            var clock = Stopwatch.StartNew();
            var model = fit(RatingTable.From(u1Train));
            double precision = 0, ndcg = 0;
            foreach (var (user, items) in relevant)
            {
                var ranked = model.Recommend(user, 10);
                precision += Metrics.PrecisionAtK(ranked, items, 10) / relevant.Count;
                ndcg += Metrics.NdcgAtK(ranked, items, 10) / relevant.Count;
            }
            context.Report(Name, ("dataset", "ml-100k"), ("split", "u1"), ("model", name), ("users", relevant.Count),
                ("precision_at_10", Math.Round(precision, 4)), ("ndcg_at_10", Math.Round(ndcg, 4)), ("seconds", Math.Round(clock.Elapsed.TotalSeconds, 3)));
        }
        return Task.CompletedTask;
    }

    private static List<Rating> Read(EvaluationContext context, string file)
    {
        var ratings = new List<Rating>();
        foreach (var line in File.ReadLines(context.PathOf("ml-100k", file)))
        {
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            ratings.Add(new Rating(int.Parse(fields[0], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture),
                double.Parse(fields[2], CultureInfo.InvariantCulture)));
        }
        return ratings;
    }
}
