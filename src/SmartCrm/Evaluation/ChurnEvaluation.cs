using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;
using SmartCrm.Records;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval churn`: telco customers, churn yes/no, mean ROC AUC over 5 stratified shuffled folds — the data, columns
/// and models of peers.py's churn task. The folds are scikit-learn's own StratifiedKFold(shuffle=True,
/// random_state=1), rebuilt row for row (numpy's Mersenne Twister), so both sides score on identical splits.
/// </summary>
internal sealed class ChurnEvaluation : IEvaluationTask
{
    public string Name => "churn";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var (header, rows) = CsvRows.Read(context.PathOf("telco-churn", "telco_churn.csv"));
        var churn = Array.IndexOf(header, "Churn");
        var labels = rows.Select(r => r[churn] == "Yes" ? 1 : 0).ToArray();
        var columns = header.Where(h => h is not "customerID" and not "Churn").ToArray();
        var x = TabularFeatures.Dummies(header, rows, columns, new HashSet<string> { "TotalCharges" }, dropFirst: true);
        var folds = Folds.StratifiedKFoldAsScikitLearn(labels, 5, seed: 1);

        var models = new (string Name, Func<FeatureMatrix, int[], IClassifier> Fit)[]
        {
            ("DecisionTree(max_depth=6)", (tx, ty) => DecisionTree.Fit(tx, ty, new DecisionTreeOptions { MaxDepth = 6 })),
            ("DecisionTree(max_depth=6,entropy)", (tx, ty) => DecisionTree.Fit(tx, ty, new DecisionTreeOptions { MaxDepth = 6, Criterion = SplitCriterion.Entropy })),
            ("DecisionTree(max_depth=6,min_samples_leaf=20)", (tx, ty) => DecisionTree.Fit(tx, ty, new DecisionTreeOptions { MaxDepth = 6, MinSamplesLeaf = 20 })),
            ("LogisticRegression", (tx, ty) => LogisticRegression.Fit(tx, ty, cancellationToken: cancellationToken)),
            ("GradientBoosting", (tx, ty) => GradientBoostedTrees.Fit(tx, ty, cancellationToken: cancellationToken)),
            ("GradientBoosting(rate=0.05,trees=200,subsample=0.8,min_samples_leaf=20)", (tx, ty) => GradientBoostedTrees.Fit(tx, ty,
                new GradientBoostingOptions { LearningRate = 0.05, Trees = 200, Subsample = 0.8, MinSamplesLeaf = 20, Seed = 1 }, cancellationToken: cancellationToken)),
        };
        foreach (var (name, fit) in models)
        {
            var (auc, seconds) = TabularFeatures.CrossValidate(x, labels, folds, fit, cancellationToken);
            context.Report(Name, ("dataset", "telco-churn"), ("model", name), ("folds", 5), ("auc", Math.Round(auc, 4)),
                ("seconds", Math.Round(seconds, 3)), ("split", "sklearn-StratifiedKFold(shuffle,random_state=1)"));
        }
        return Task.CompletedTask;
    }
}
