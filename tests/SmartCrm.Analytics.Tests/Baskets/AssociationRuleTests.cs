using FsCheck.Xunit;
using SmartCrm.Analytics.Baskets;

namespace SmartCrm.Analytics.Tests.Baskets;

public sealed class AssociationRuleTests
{
    private static FrequentItemsets TextbookItemsets() =>
        FpGrowth.Mine(BasketTable.FromIds(FrequentItemsetTests.AllElectronics), new ItemsetOptions { MinCount = 2 });

    [Fact]
    public void The_textbook_itemset_gives_its_three_strong_rules()
    {
        // Han and Kamber, example 6.4: from {I1, I2, I5} at 70 % confidence only these three rules hold.
        var rules = AssociationRules.Generate(TextbookItemsets(), new RuleOptions { MinConfidence = 0.7 });

        rules.Where(r => r.Antecedent.Concat(r.Consequent).Order().SequenceEqual([1, 2, 5])).Select(r => r.ToString()).Order()
            .ShouldBe(["{1, 5} → {2}", "{2, 5} → {1}", "{5} → {1, 2}"]);
    }

    [Fact]
    public void Measures_match_the_hand_computation()
    {
        // {5} → {1, 2}: 2 of 9 baskets hold all three, 2 hold item 5, 4 hold {1, 2}.
        var rule = AssociationRules.Generate(TextbookItemsets(), new RuleOptions { MinConfidence = 0.7 })
            .Single(r => r.ToString() == "{5} → {1, 2}");

        rule.Support.ShouldBe(2.0 / 9);
        rule.Confidence.ShouldBe(1);
        rule.Lift.ShouldBe(2.25, tolerance: 1e-12);
        rule.Leverage.ShouldBe(2.0 / 9 - 2.0 / 9 * (4.0 / 9), tolerance: 1e-12);
        rule.Conviction.ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void Conviction_is_finite_below_full_confidence()
    {
        // {1} → {2}: confidence 4/6, support of {2} is 7/9: (1 − 7/9) / (1 − 2/3) = 2/3.
        var rule = AssociationRules.Generate(TextbookItemsets(), new RuleOptions { MinConfidence = 0.6 })
            .Single(r => r.ToString() == "{1} → {2}");

        rule.Conviction.ShouldBe(2.0 / 3, tolerance: 1e-12);
        rule.Lift.ShouldBe(4.0 * 9 / (6 * 7), tolerance: 1e-12);
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.5000000001, false)]
    [InlineData(0.4999999999, true)]
    public void A_rule_exactly_at_the_confidence_threshold_is_kept(double minConfidence, bool kept)
    {
        // {1, 2} → {5}: 2 of the 4 baskets with {1, 2} hold 5: confidence exactly one half.
        var rules = AssociationRules.Generate(TextbookItemsets(), new RuleOptions { MinConfidence = minConfidence });

        rules.Any(r => r.ToString() == "{1, 2} → {5}").ShouldBe(kept);
    }

    [Fact]
    public void Confidence_thresholds_are_read_as_the_decimals_they_are_written_as()
    {
        // 3 of 10: 0.3 in binary is 0.29999999999999998890, so only an exact reading keeps 0.3 ≥ 0.3 honest.
        var baskets = Enumerable.Range(0, 10).Select(i => i < 3 ? new[] { 0, 1 } : [0]);
        var itemsets = Apriori.Mine(BasketTable.FromIds(baskets), new ItemsetOptions { MinCount = 1 });

        AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = 0.3 }).Select(r => r.ToString()).ShouldContain("{0} → {1}");
        AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = 0.30001 }).Select(r => r.ToString()).ShouldNotContain("{0} → {1}");
        AssociationRules.Fraction(0.3m).ShouldBe(((UInt128)3, (UInt128)10));
    }

    [Fact]
    public void Consequents_can_be_limited_to_one_item()
    {
        var rules = AssociationRules.Generate(TextbookItemsets(), new RuleOptions { MinConfidence = 0.7, MaxConsequentLength = 1 });

        rules.ShouldAllBe(r => r.Consequent.Length == 1);
        rules.Select(r => r.ToString()).ShouldContain("{1, 5} → {2}");
        rules.Select(r => r.ToString()).ShouldNotContain("{5} → {1, 2}");
    }

    [Theory]
    [InlineData(-0.1, 5)]
    [InlineData(1.1, 5)]
    [InlineData(double.NaN, 5)]
    [InlineData(0.5, 0)]
    public void Invalid_options_are_rejected(double confidence, int consequentLength)
    {
        Should.Throw<ArgumentException>(() => AssociationRules.Generate(TextbookItemsets(), new RuleOptions { MinConfidence = confidence, MaxConsequentLength = consequentLength }))
            .ParamName.ShouldBe("options");
    }

    [Property(MaxTest = 100)]
    public bool Rules_are_exactly_the_splits_that_pass_and_their_measures_agree_with_counts(int seed, byte itemCount, byte basketCount, byte confidence)
    {
        var items = 1 + itemCount % 7;
        var random = new Random(seed);
        var baskets = Enumerable.Range(0, 1 + basketCount % 40)
            .Select(_ => Enumerable.Range(0, items).Where(_ => random.NextDouble() < 0.5).ToArray())
            .ToArray();
        var minConfidence = confidence % 11 / 10.0;
        var itemsets = Apriori.Mine(BasketTable.FromIds(baskets), new ItemsetOptions { MinCount = 2 });

        var rules = AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = minConfidence });

        int CountOf(IEnumerable<int> set) => baskets.Count(b => set.All(b.Contains));
        var n = (double)baskets.Length;
        var expected = 0;
        foreach (var set in FrequentItemsetTests.BruteForce(baskets, items, 2, int.MaxValue).Where(s => s.Items.Length > 1))
        {
            for (var mask = 1; mask < (1 << set.Items.Length) - 1; mask++)
            {
                var left = set.Items.Where((_, i) => (mask & (1 << i)) != 0);
                // In tenths, integers compare exactly: count · 10 ≥ tenths · antecedent count.
                if (set.Count * 10 >= confidence % 11 * CountOf(left)) expected++;
            }
        }
        return rules.Count == expected && rules.All(r =>
            r.Count == CountOf(r.Antecedent.Concat(r.Consequent))
            && r.AntecedentCount == CountOf(r.Antecedent)
            && r.ConsequentCount == CountOf(r.Consequent)
            && !r.Antecedent.Intersect(r.Consequent).Any()
            && r.Confidence >= minConfidence - 1e-12
            && Math.Abs(r.Lift - r.Confidence / (r.ConsequentCount / n)) <= 1e-9 * r.Lift
            && Math.Abs(r.Leverage - (r.Support - r.AntecedentCount / n * (r.ConsequentCount / n))) <= 1e-12
            && r.Support <= Math.Min(r.AntecedentCount, r.ConsequentCount) / n);
    }
}
