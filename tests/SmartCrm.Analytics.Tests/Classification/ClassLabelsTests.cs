using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

public class ClassLabelsTests
{
    [Fact]
    public void Labels_are_numbered_in_sorted_order_and_round_trip()
    {
        var labels = new ClassLabels<string>(["refund", "card_lost", "refund", "pin"], StringComparer.Ordinal);

        labels.Names.ShouldBe(["card_lost", "pin", "refund"]);
        labels.Encode(["pin", "refund", "card_lost"]).ShouldBe([1, 2, 0]);
        labels.Count.ShouldBe(3);
    }

    [Fact]
    public void An_unknown_label_is_refused_by_name()
    {
        var labels = new ClassLabels<string>(["a", "b"]);

        Should.Throw<ArgumentException>(() => labels.Encode(["c"])).Message.ShouldContain("unknown label 'c'");
    }
}

public class ConstantFeatureTests
{
    [Fact]
    public void Boosting_ignores_constant_columns_and_a_constant_matrix_predicts_the_base_rate()
    {
        var x = FeatureMatrix.FromRows([[5.0, 0], [5.0, 1], [5.0, 2], [5.0, 3]]);
        var constant = FeatureMatrix.FromRows([[5.0], [5.0], [5.0], [5.0]]);
        int[] y = [0, 0, 1, 1];

        var model = GradientBoostedTrees.Fit(x, y, new GradientBoostingOptions { Trees = 5, MaxDepth = 1 });
        var flat = GradientBoostedTrees.Fit(constant, [0, 1, 1, 1], new GradientBoostingOptions { Trees = 5 });

        model.FeatureImportances()[0].ShouldBe(0);
        flat.LogOdds([5.0]).ShouldBe(Math.Log(3), 1e-12);
        flat.Explain([5.0]).Contributions.ShouldBeEmpty();
    }
}
