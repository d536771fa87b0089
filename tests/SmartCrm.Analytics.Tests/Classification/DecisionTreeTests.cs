using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

public class DecisionTreeTests
{
    [Fact]
    public void Id3_on_play_tennis_puts_outlook_at_the_root_and_grows_quinlans_tree()
    {
        var (x, play) = Fixtures.PlayTennis();

        var tree = DecisionTree.Fit(x, play, DecisionTreeOptions.Id3);

        tree.RootFeature.ShouldBe(0);
        tree.Depth.ShouldBe(2);
        tree.LeafCount.ShouldBe(5);
        // Overcast is always played; sunny days hinge on humidity, rainy days on wind.
        tree.Predict([1, 0, 0, 1]).ShouldBe(1);
        tree.PathOf([1, 0, 0, 1]).Select(s => s.FeatureName).ShouldBe(["outlook"]);
        tree.PathOf([0, 2, 1, 0]).Select(s => s.FeatureName).ShouldBe(["outlook", "humidity"]);
        tree.PathOf([2, 2, 1, 1]).Select(s => s.FeatureName).ShouldBe(["outlook", "wind"]);
        tree.Predict([0, 0, 0, 0]).ShouldBe(0);
        tree.Predict([0, 0, 1, 1]).ShouldBe(1);
        tree.Predict([2, 0, 0, 0]).ShouldBe(1);
        tree.Predict([2, 0, 0, 1]).ShouldBe(0);
    }

    [Fact]
    public void Id3_feature_importances_are_the_hand_computed_information_gains()
    {
        var (x, play) = Fixtures.PlayTennis();

        var importances = DecisionTree.Fit(x, play, DecisionTreeOptions.Id3).FeatureImportances();

        // Gains in bits × rows: root 14·H(9/14) − 10·H(2/5) = 3.4545; each of the sunny and rain nodes 5·H(2/5) = 4.8548.
        var h = (Func<double, double>)(p => -p * Math.Log2(p) - (1 - p) * Math.Log2(1 - p));
        var root = 14 * h(9.0 / 14) - 10 * h(0.4);
        var child = 5 * h(0.4);
        var total = root + 2 * child;
        importances[0].ShouldBe(root / total, 1e-12);
        importances[2].ShouldBe(child / total, 1e-12);
        importances[3].ShouldBe(child / total, 1e-12);
        importances[1].ShouldBe(0);
    }

    [Fact]
    public void Id3_sends_an_unseen_category_no_further_than_the_node_that_never_saw_it()
    {
        var (x, play) = Fixtures.PlayTennis();
        var tree = DecisionTree.Fit(x, play, DecisionTreeOptions.Id3);

        var probabilities = tree.PredictProbabilities([7, 0, 0, 0]);

        // Outlook 7 was never seen: the answer is the root's class frequencies, 5 no and 9 yes.
        probabilities[1].ShouldBe(9.0 / 14, 1e-12);
        tree.PathOf([7, 0, 0, 0]).ShouldBeEmpty();
    }

    [Fact]
    public void Gini_split_on_a_tiny_set_falls_between_the_classes()
    {
        var x = new FeatureMatrix([1, 9, 2, 3, 3, 1, 4, 7, 5, 2, 6, 8], 6, 2);

        var tree = DecisionTree.Fit(x, [0, 0, 0, 1, 1, 1]);

        tree.RootFeature.ShouldBe(0);
        tree.PathOf([3.4, 0])[0].Threshold.ShouldBe(3.5);
        tree.LeafCount.ShouldBe(2);
        tree.PredictProbabilities([3.5, 0])[1].ShouldBe(0);
        tree.PredictProbabilities([3.6, 0])[1].ShouldBe(1);
    }

    [Fact]
    public void Cart_matches_scikit_learn_on_the_synthetic_set()
    {
        var (x, y, _) = Fixtures.Synthetic();

        var tree = DecisionTree.Fit(x, y);
        var shallow = DecisionTree.Fit(x, y, new DecisionTreeOptions { MaxDepth = 2 });

        // scikit-learn: 13 nodes, 7 leaves, depth 4, root x0 ≤ 4.5122 (float32), importances [0.6202, 0.3798, 0].
        tree.NodeCount.ShouldBe(13);
        tree.LeafCount.ShouldBe(7);
        tree.Depth.ShouldBe(4);
        tree.RootFeature.ShouldBe(0);
        tree.PathOf([4.5, 0, 0])[0].Threshold.ShouldBe(4.512195110321045, 1e-6);
        tree.FeatureImportances().ShouldBe([0.6202056748158846, 0.37979432518411543, 0.0], 1e-9);
        Fixtures.Probes.Select(p => shallow.PredictProbabilities(p)[1]).ShouldBe([0.0, 0.8947368421052632, 0.8947368421052632, 0.8947368421052632], 1e-12);
    }

    [Fact]
    public void Entropy_tree_matches_scikit_learn_on_the_synthetic_set()
    {
        var (x, y, _) = Fixtures.Synthetic();

        var tree = DecisionTree.Fit(x, y, new DecisionTreeOptions { Criterion = SplitCriterion.Entropy, MaxDepth = 3 });

        tree.RootFeature.ShouldBe(1);
        tree.PathOf([0, 0.5, 0])[0].Threshold.ShouldBe(0.8720930218696594, 1e-6);
        Fixtures.Probes.Select(p => tree.PredictProbabilities(p)[1]).ShouldBe([0.6363636363636364, 1.0, 0.2222222222222222, 0.6363636363636364], 1e-12);
    }

    [Fact]
    public void Pruning_path_and_pruned_trees_match_scikit_learn()
    {
        var (x, y, _) = Fixtures.Synthetic();
        var tree = DecisionTree.Fit(x, y);

        var path = tree.PruningPath();

        path.Select(p => p.Alpha).ShouldBe([0.0, 0.04473684210526315, 0.07777777777777777, 0.1037081339712919, 0.15001262626262635], 1e-12);
        path.Select(p => p.Impurity).ShouldBe([0.0, 0.0894736842105263, 0.24502923976608182, 0.34873737373737373, 0.4987500000000001], 1e-12);
        var pruned = DecisionTree.Fit(x, y, new DecisionTreeOptions { CostComplexityAlpha = 0.05 });
        (pruned.LeafCount, pruned.NodeCount).ShouldBe((5, 9));
        var harder = tree.Prune(0.08);
        (harder.LeafCount, harder.NodeCount).ShouldBe((3, 5));
        Fixtures.Probes.Select(p => harder.PredictProbabilities(p)[1]).ShouldBe([0.2222222222222222, 0.8947368421052632, 0.8947368421052632, 0.8947368421052632], 1e-12);
        tree.Prune(1).LeafCount.ShouldBe(1);
    }

    [Fact]
    public void Depth_and_leaf_size_limits_hold()
    {
        var (x, y, _) = Fixtures.Synthetic();

        var tree = DecisionTree.Fit(x, y, new DecisionTreeOptions { MaxDepth = 2, MinSamplesLeaf = 8 });
        var stump = DecisionTree.Fit(x, y, new DecisionTreeOptions { MinSamplesSplit = 41 });

        tree.Depth.ShouldBeLessThanOrEqualTo(2);
        stump.NodeCount.ShouldBe(1);
        var leafSizes = new Dictionary<string, int>();
        for (var r = 0; r < x.Rows; r++)
        {
            var key = string.Join("|", tree.PathOf(x.Row(r)).Select(s => s.Branch));
            leafSizes[key] = leafSizes.GetValueOrDefault(key) + 1;
        }
        leafSizes.Values.ShouldAllBe(size => size >= 8);
    }

    [Fact]
    public void Categorical_feature_splits_into_two_sets_of_categories_in_one_node()
    {
        // Codes 0 and 2 are positive, 1 and 3 negative: no single threshold on the codes separates them.
        var codes = new double[] { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3 };
        var labels = codes.Select(c => c is 0 or 2 ? 1 : 0).ToArray();
        var categorical = new FeatureMatrix(codes, 12, 1, [FeatureKind.Categorical], ["plan"]);
        var numeric = new FeatureMatrix(codes, 12, 1);

        var tree = DecisionTree.Fit(categorical, labels, new DecisionTreeOptions { MaxDepth = 1 });
        var thresholdTree = DecisionTree.Fit(numeric, labels, new DecisionTreeOptions { MaxDepth = 1 });

        tree.LeafCount.ShouldBe(2);
        for (var c = 0; c < 4; c++) tree.Predict([c]).ShouldBe(c is 0 or 2 ? 1 : 0);
        tree.PathOf([2])[0].Branch.ShouldBeOneOf(Branch.InCategories, Branch.NotInCategories);
        tree.PathOf([2])[0].Categories.Count.ShouldBe(2);
        Enumerable.Range(0, 4).Count(c => thresholdTree.Predict([c]) == (c is 0 or 2 ? 1 : 0)).ShouldBeLessThan(4);
    }

    [Fact]
    public void Explanation_is_the_decision_path_and_contributions_that_add_up_to_the_probability()
    {
        var (x, y, _) = Fixtures.Synthetic();
        var tree = DecisionTree.Fit(x, y, new DecisionTreeOptions { MaxDepth = 3 });

        foreach (var probe in Fixtures.Probes)
        {
            var explanation = tree.Explain(probe);

            explanation.Baseline.ShouldBe(y.Average(), 1e-12);
            explanation.Prediction.ShouldBe(tree.PredictProbabilities(probe)[1], 1e-12);
            (explanation.Baseline + explanation.Contributions.Sum(c => c.Contribution)).ShouldBe(explanation.Prediction, 1e-12);
            explanation.Path.ShouldBe(tree.PathOf(probe));
            foreach (var step in explanation.Path)
                step.Branch.ShouldBe(probe[step.Feature] <= step.Threshold ? Branch.AtMost : Branch.Above);
        }
    }

    [Property(MaxTest = 40)]
    public bool Contributions_add_up_for_any_row(NormalFloat a, NormalFloat b, NormalFloat c)
    {
        var (x, _, three) = Fixtures.Synthetic();
        var tree = DecisionTree.Fit(x, three);
        double[] row = [a.Get, b.Get, c.Get];
        return Enumerable.Range(0, 3).All(k =>
        {
            var e = tree.Explain(row, k);
            return Math.Abs(e.Baseline + e.Contributions.Sum(f => f.Contribution) - tree.PredictProbabilities(row)[k]) < 1e-9;
        });
    }

    [Fact]
    public void Few_valued_columns_split_exactly_as_the_sorted_scan_does()
    {
        // Integer scores 0..9 take the per-value counting path; twenty extra rows with weight 0 and distinct
        // fractional values push the same column onto the sorted path without changing the training sample.
        var random = new Random(3);
        var rows = new List<double[]>();
        var y = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var a = random.Next(10);
            var b = random.Next(4);
            rows.Add([a, b, random.NextDouble()]);
            y.Add(a + 2 * b + random.Next(5) > 9 ? 1 : 0);
        }
        var few = FeatureMatrix.FromRows(rows);
        var padded = FeatureMatrix.FromRows([.. rows, .. Enumerable.Range(0, 20).Select(i => new[] { i + 0.5, i + 0.25, 0.5 })]);
        var weights = Enumerable.Repeat(1.0, 300).Concat(Enumerable.Repeat(0.0, 20)).ToArray();

        var counted = DecisionTree.Fit(few, y.ToArray(), new DecisionTreeOptions { MaxDepth = 5 });
        var scanned = DecisionTree.Fit(padded, [.. y, .. new int[20]], new DecisionTreeOptions { MaxDepth = 5 }, weights);

        scanned.NodeCount.ShouldBe(counted.NodeCount);
        for (var r = 0; r < 300; r++)
        {
            scanned.PredictProbabilities(few.Row(r)).ShouldBe(counted.PredictProbabilities(few.Row(r)));
            scanned.PathOf(few.Row(r)).Select(s => (s.Feature, s.Threshold)).ShouldBe(counted.PathOf(few.Row(r)).Select(s => (s.Feature, s.Threshold)));
        }
    }

    [Fact]
    public void Row_weights_of_zero_leave_rows_out_and_counts_repeat_them()
    {
        var x = new FeatureMatrix([1, 2, 3, 4], 4, 1);
        int[] y = [0, 1, 0, 1];

        var tree = DecisionTree.Fit(x, y, new DecisionTreeOptions { MaxDepth = 0 }, [0, 3, 1, 0]);

        tree.PredictProbabilities([1])[1].ShouldBe(0.75);
    }

    [Fact]
    public void One_class_only_gives_a_single_certain_leaf()
    {
        var x = new FeatureMatrix([1, 2, 3], 3, 1);

        var tree = DecisionTree.Fit(x, [1, 1, 1]);

        tree.NodeCount.ShouldBe(1);
        tree.PredictProbabilities([5])[1].ShouldBe(1);
    }

    [Fact]
    public void One_row_or_constant_columns_give_a_leaf()
    {
        DecisionTree.Fit(new FeatureMatrix([1, 2], 1, 2), [1]).NodeCount.ShouldBe(1);
        DecisionTree.Fit(new FeatureMatrix([3, 3, 3, 3], 4, 1), [0, 1, 0, 1]).PredictProbabilities([3])[1].ShouldBe(0.5);
    }

    [Fact]
    public void Bad_input_is_refused_with_a_message_naming_the_place()
    {
        var x = new FeatureMatrix([1, 2, 3], 3, 1);

        Should.Throw<ArgumentException>(() => DecisionTree.Fit(new FeatureMatrix([], 0, 1), [])).Message.ShouldContain("no training rows");
        Should.Throw<ArgumentException>(() => DecisionTree.Fit(x, [0, 1])).Message.ShouldContain("2 labels for 3 rows");
        Should.Throw<ArgumentException>(() => DecisionTree.Fit(x, [0, -1, 1])).Message.ShouldContain("DecisionTree.Fit");
        Should.Throw<ArgumentException>(() => DecisionTree.Fit(x, [0, 1, 1], new DecisionTreeOptions { MinSamplesLeaf = 0 })).Message.ShouldContain("MinSamplesLeaf");
        Should.Throw<ArgumentException>(() => DecisionTree.Fit(x, [0, 1, 1], null, [1, double.NaN, 1])).Message.ShouldContain("weight at row 1");
        var tree = DecisionTree.Fit(x, [0, 1, 1]);
        Should.Throw<ArgumentException>(() => tree.PredictProbabilities([double.PositiveInfinity])).Message.ShouldContain("DecisionTree.PredictProbabilities");
        Should.Throw<ArgumentException>(() => tree.PredictProbabilities([1, 2])).Message.ShouldContain("fitted on 1");
    }
}
