using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;
using SmartCrm.Records;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval failures`: AI4I 2020 predictive maintenance, machine failure yes/no from type, temperatures, speed, torque
/// and tool wear; mean ROC AUC over 5 stratified shuffled folds, on the same folds as peers.py (scikit-learn's StratifiedKFold, random_state=1, rebuilt row for row).
/// </summary>
internal sealed class FailuresEvaluation : IEvaluationTask
{
    public string Name => "failures";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var (header, rows) = CsvRows.Read(context.PathOf("ai4i2020", "ai4i2020.csv"));
        var failure = Array.IndexOf(header, "Machine failure");
        var labels = rows.Select(r => r[failure] == "1" ? 1 : 0).ToArray();
        string[] columns = ["Type", "Air temperature [K]", "Process temperature [K]", "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]"];
        var x = TabularFeatures.Dummies(header, rows, columns, new HashSet<string>(), dropFirst: false);
        var folds = Folds.StratifiedKFoldAsScikitLearn(labels, 5, seed: 1);

        var models = new (string Name, Func<FeatureMatrix, int[], IClassifier> Fit)[]
        {
            ("RandomForest(200)", (tx, ty) => RandomForest.Fit(tx, ty, new RandomForestOptions { Trees = 200, Seed = 1 }, cancellationToken)),
            ("GradientBoosting", (tx, ty) => GradientBoostedTrees.Fit(tx, ty, cancellationToken: cancellationToken)),
            ("GradientBoosting(rate=0.05,trees=300,depth=4,subsample=0.8)", (tx, ty) => GradientBoostedTrees.Fit(tx, ty,
                new GradientBoostingOptions { LearningRate = 0.05, Trees = 300, MaxDepth = 4, Subsample = 0.8, Seed = 1 }, cancellationToken: cancellationToken)),
            ("DecisionTree(max_depth=6)", (tx, ty) => DecisionTree.Fit(tx, ty, new DecisionTreeOptions { MaxDepth = 6 })),
            ("LogisticRegression", (tx, ty) => LogisticRegression.Fit(tx, ty, cancellationToken: cancellationToken)),
        };
        foreach (var (name, fit) in models)
        {
            var (auc, seconds) = TabularFeatures.CrossValidate(x, labels, folds, fit, cancellationToken);
            context.Report(Name, ("dataset", "ai4i2020"), ("model", name), ("folds", 5), ("auc", Math.Round(auc, 4)),
                ("seconds", Math.Round(seconds, 3)), ("split", "sklearn-StratifiedKFold(shuffle,random_state=1)"));
        }
        return Task.CompletedTask;
    }
}
