namespace SmartCrm.Analytics.Classification;

/// <summary>The impurity a decision tree lowers with each split.</summary>
public enum SplitCriterion
{
    /// <summary>Gini impurity 1 − Σ p², as CART uses.</summary>
    Gini,

    /// <summary>Shannon entropy −Σ p log₂ p (information gain), as ID3 and C4.5 use.</summary>
    Entropy,
}

/// <summary>How a decision tree is grown and pruned. Defaults are scikit-learn's DecisionTreeClassifier defaults.</summary>
public sealed record DecisionTreeOptions
{
    /// <summary>Classic ID3: entropy, one branch per category of a categorical feature (numeric features still split in two, as C4.5 does).</summary>
    public static DecisionTreeOptions Id3 { get; } = new() { Criterion = SplitCriterion.Entropy, MultiwayCategorical = true };

    /// <summary>CART: Gini, binary splits; categorical features split into two sets of categories.</summary>
    public static DecisionTreeOptions Cart { get; } = new();

    /// <summary>The impurity measure.</summary>
    public SplitCriterion Criterion { get; init; } = SplitCriterion.Gini;

    /// <summary>Deepest level a node may sit at (the root is level 0).</summary>
    public int MaxDepth { get; init; } = int.MaxValue;

    /// <summary>A node with fewer examples than this becomes a leaf.</summary>
    public int MinSamplesSplit { get; init; } = 2;

    /// <summary>No split may leave fewer examples than this in a child.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>Minimal cost-complexity pruning: subtrees whose impurity gain per extra leaf is at most this are cut (0 keeps the grown tree).</summary>
    public double CostComplexityAlpha { get; init; }

    /// <summary>Split categorical features into one branch per category (ID3) instead of two sets of categories (CART).</summary>
    public bool MultiwayCategorical { get; init; }

    /// <summary>Features drawn at random and tried at each split (null tries all); random forests use √features.</summary>
    public int? MaxFeatures { get; init; }

    /// <summary>Seed for the feature draws.</summary>
    public int Seed { get; init; }

    internal void Check()
    {
        if (MaxDepth < 0) throw new ArgumentException($"DecisionTreeOptions.MaxDepth must be ≥ 0, was {MaxDepth}.");
        if (MinSamplesSplit < 2) throw new ArgumentException($"DecisionTreeOptions.MinSamplesSplit must be ≥ 2, was {MinSamplesSplit}.");
        if (MinSamplesLeaf < 1) throw new ArgumentException($"DecisionTreeOptions.MinSamplesLeaf must be ≥ 1, was {MinSamplesLeaf}.");
        if (!(CostComplexityAlpha >= 0) || double.IsInfinity(CostComplexityAlpha))
            throw new ArgumentException($"DecisionTreeOptions.CostComplexityAlpha must be a finite number ≥ 0, was {CostComplexityAlpha}.");
        if (MaxFeatures is < 1) throw new ArgumentException($"DecisionTreeOptions.MaxFeatures must be ≥ 1, was {MaxFeatures}.");
    }
}
