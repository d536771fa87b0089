using System.Globalization;

namespace SmartCrm.Analytics.Classification;

/// <summary>Which way an example went at one node of a decision tree.</summary>
public enum Branch
{
    /// <summary>The value was at most the threshold.</summary>
    AtMost,

    /// <summary>The value was above the threshold.</summary>
    Above,

    /// <summary>
    /// The example went the way of the node's listed categories (those seen in training on that side; a category
    /// the node never saw follows the side that held more training weight).
    /// </summary>
    InCategories,

    /// <summary>The example went the other way from the node's listed categories.</summary>
    NotInCategories,

    /// <summary>A multiway (ID3) node: the example took the branch of its own category.</summary>
    CategoryBranch,
}

/// <summary>One test on the way from the root of a tree to the leaf that decided an example.</summary>
/// <param name="Feature">Column index of the tested feature.</param>
/// <param name="FeatureName">Column name of the tested feature.</param>
/// <param name="Value">The example's value of that feature.</param>
/// <param name="Threshold">The node's threshold (numeric tests; NaN otherwise).</param>
/// <param name="Categories">The categories the test lists (categorical tests; empty otherwise).</param>
/// <param name="Branch">The way the example went.</param>
public sealed record DecisionStep(int Feature, string FeatureName, double Value, double Threshold, IReadOnlyList<int> Categories, Branch Branch)
{
    /// <summary>The test as a person reads it, e.g. "tenure = 3 ≤ 5.5" (numbers in the invariant culture).</summary>
    public override string ToString()
    {
        var value = Value.ToString("G6", CultureInfo.InvariantCulture);
        var threshold = Threshold.ToString("G6", CultureInfo.InvariantCulture);
        var listed = "{" + string.Join(", ", Categories) + "}";
        return Branch switch
        {
            Branch.AtMost => $"{FeatureName} = {value} ≤ {threshold}",
            Branch.Above => $"{FeatureName} = {value} > {threshold}",
            Branch.InCategories when Categories.Contains((int)Value) => $"{FeatureName} = {value} ∈ {listed}",
            Branch.InCategories => $"{FeatureName} = {value} (not seen in training) goes with {listed}",
            Branch.NotInCategories => $"{FeatureName} = {value} ∉ {listed}",
            _ => $"{FeatureName} = {value}",
        };
    }
}

/// <summary>How much one feature moved a prediction away from the model's baseline.</summary>
/// <param name="Feature">Column index.</param>
/// <param name="FeatureName">Column name.</param>
/// <param name="Contribution">The amount, in the units of <see cref="Explanation.Prediction"/>.</param>
public sealed record FeatureContribution(int Feature, string FeatureName, double Contribution);

/// <summary>
/// Why a model scored an example as it did: a baseline plus one contribution per feature that add up to the
/// prediction (Saabas path contributions for trees, coefficient × standardised value for linear models), and
/// for a single tree the decision path itself.
/// </summary>
/// <param name="Baseline">The score before any feature is looked at (root value, or intercept).</param>
/// <param name="Prediction">The score explained: a class probability for trees, log-odds for boosted trees and logistic regression.</param>
/// <param name="Contributions">Per-feature contributions, largest magnitude first; Baseline plus their sum equals Prediction.</param>
/// <param name="Path">The tests from root to leaf (single trees only; empty otherwise).</param>
public sealed record Explanation(double Baseline, double Prediction, IReadOnlyList<FeatureContribution> Contributions, IReadOnlyList<DecisionStep> Path)
{
    internal static IReadOnlyList<FeatureContribution> Rank(ReadOnlySpan<double> byFeature, IReadOnlyList<string> names)
    {
        var list = new List<FeatureContribution>();
        for (var f = 0; f < byFeature.Length; f++)
            if (byFeature[f] != 0) list.Add(new FeatureContribution(f, names[f], byFeature[f]));
        list.Sort((a, b) => Math.Abs(b.Contribution).CompareTo(Math.Abs(a.Contribution)));
        return list;
    }
}
