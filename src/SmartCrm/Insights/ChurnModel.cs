using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Insights;

/// <summary>
/// Churn propensity: gradient-boosted trees on <see cref="ChurnFeatures"/>, fitted on 70 % of the customers and measured on
/// the other 30 %; the trees' log-odds are calibrated to probabilities (Platt scaling, fitted on half of the holdout), and
/// each score is explained by per-feature contributions (Saabas, in log-odds).
/// </summary>
public sealed class ChurnModel
{
    private static readonly GradientBoostingOptions Options = new() { Trees = 150, LearningRate = 0.05, MaxDepth = 3, MinSamplesLeaf = 20, Subsample = 0.8, Seed = 1 };

    private readonly GradientBoostedTrees _trees;
    private readonly int _columns;

    private ChurnModel(GradientBoostedTrees trees, int columns, double slope, double intercept)
    {
        _trees = trees;
        _columns = columns;
        Slope = slope;
        Intercept = intercept;
    }

    /// <summary>Platt scaling: probability = σ(Slope · log-odds + Intercept).</summary>
    public double Slope { get; }

    public double Intercept { get; }

    public IReadOnlyList<string> Features => ChurnFeatures.Names[.._columns];

    /// <summary>What a fit measured on its holdout.</summary>
    public sealed record Holdout(double Auc, double AucWithoutDevices, double Brier, double ChurnRate, int TrainRows, int HoldoutRows);

    /// <summary>Fits on the training rows; <paramref name="deviceSignals"/> false leaves the device features out (the comparison figure).</summary>
    public static (ChurnModel Model, double Auc, double[] HoldoutScores) Fit(ChurnFeatures data, int[] train, int[] holdout, bool deviceSignals, CancellationToken cancellationToken)
    {
        var columns = deviceSignals ? ChurnFeatures.Names.Length : ChurnFeatures.FirstDeviceFeature;
        var labels = Labels(data);
        var trees = GradientBoostedTrees.Fit(Matrix(data, train, columns), [.. train.Select(i => labels[i])], Options, cancellationToken: cancellationToken);
        var odds = holdout.Select(i => trees.LogOdds(data.Rows[i].AsSpan(0, columns))).ToArray();
        var auc = Metrics.RocAuc([.. holdout.Select(i => labels[i] == 1)], odds);
        // Calibrate on the first half of the holdout (the trees never saw it); Brier is measured on the second half.
        var half = holdout.Length / 2;
        var (slope, intercept) = Platt(odds[..half], [.. holdout[..half].Select(i => labels[i])]);
        return (new ChurnModel(trees, columns, slope, intercept), auc, odds);
    }

    /// <summary>The whole training: split, fit with and without device signals, calibrate, measure.</summary>
    public static (ChurnModel Model, Holdout Figures) Train(ChurnFeatures data, CancellationToken cancellationToken)
    {
        var labels = Labels(data);
        if (labels.Distinct().Count() < 2 || data.Customers.Length < 40)
            throw new InvalidOperationException($"Too little history to train churn: {data.Customers.Length} customers with purchases before {data.Cutoff:yyyy-MM-dd}, of whom {labels.Sum()} lapsed.");
        var (train, holdout) = Split(labels, 0.3, seed: 1);
        var (model, auc, odds) = Fit(data, train, holdout, deviceSignals: true, cancellationToken);
        var (_, aucWithout, _) = Fit(data, train, holdout, deviceSignals: false, cancellationToken);
        var half = holdout.Length / 2;
        var brier = holdout[half..].Select((row, k) => Math.Pow(model.Calibrate(odds[half + k]) - labels[row], 2)).Average();
        return (model, new Holdout(auc, aucWithout, brier, labels.Average(), train.Length, holdout.Length));
    }

    public double Calibrate(double logOdds) => 1 / (1 + Math.Exp(-(Slope * logOdds + Intercept)));

    public double Score(ReadOnlySpan<double> row) => Calibrate(_trees.LogOdds(row[.._columns]));

    public IReadOnlyList<FeatureContribution> Explain(ReadOnlySpan<double> row) => _trees.Explain(row[.._columns]).Contributions;

    /// <summary>
    /// The <paramref name="count"/> features that moved this customer's score most, with their values. For a customer with no
    /// connected device the device signals after the count (quiet days, usage trend, alarms) are left out: the model weighs
    /// their zeros, but "device usage +0 % over the last 4 weeks" reads to a person as a fact about a device they do not have.
    /// </summary>
    public List<ChurnReason> Reasons(ReadOnlySpan<double> row, int count)
    {
        var noDevices = _columns > ChurnFeatures.FirstDeviceFeature && row[ChurnFeatures.FirstDeviceFeature] == 0;
        var reasons = new List<ChurnReason>(count);
        foreach (var c in Explain(row))
        {
            if (reasons.Count == count) break;
            if (noDevices && c.Feature > ChurnFeatures.FirstDeviceFeature) continue;
            reasons.Add(new ChurnReason(c.FeatureName, Math.Round(row[c.Feature], 3), Math.Round(c.Contribution, 4)));
        }
        return reasons;
    }

    public double[] Importances() => _trees.FeatureImportances();

    private static int[] Labels(ChurnFeatures data) => [.. data.ActiveAfter.Select(b => b ? 0 : 1)];

    private static FeatureMatrix Matrix(ChurnFeatures data, int[] rows, int columns)
    {
        var values = new double[rows.Length * columns];
        for (var r = 0; r < rows.Length; r++) data.Rows[rows[r]].AsSpan(0, columns).CopyTo(values.AsSpan(r * columns, columns));
        return new FeatureMatrix(values, rows.Length, columns, names: ChurnFeatures.Names[..columns]);
    }

    /// <summary>Stratified: the holdout has the same share of churners as the whole.</summary>
    private static (int[] Train, int[] Holdout) Split(int[] labels, double share, int seed)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var holdout = new List<int>();
        foreach (var label in new[] { 0, 1 })
        {
            var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == label).ToArray();
            random.Shuffle(rows);
            var cut = (int)Math.Round(rows.Length * share);
            holdout.AddRange(rows[..cut]);
            train.AddRange(rows[cut..]);
        }
        var h = holdout.ToArray();
        random.Shuffle(h);
        return ([.. train.Order()], h);
    }

    /// <summary>One-feature logistic regression of the label on the log-odds (unpenalised in effect: C large).</summary>
    private static (double Slope, double Intercept) Platt(double[] odds, int[] labels)
    {
        if (labels.Distinct().Count() < 2) return (1, 0);
        var fit = LogisticRegression.Fit(new FeatureMatrix(odds, odds.Length, 1), labels, new LogisticRegressionOptions { C = 1e4, Standardise = false });
        return (fit.Coefficients()[0][0], fit.Intercepts()[0]);
    }
}
