using SmartCrm.Analytics.Baskets;
using SmartCrm.Analytics.Tests.Evaluation;

namespace SmartCrm.Analytics.Tests.Baskets;

/// <summary>The published counts on the real groceries baskets (read from ../shared/data, never copied into the repository).</summary>
public sealed class GroceriesTests
{
    private const string Groceries = "groceries/groceries.csv";

    [DataTheory(Groceries)]
    [MemberData(nameof(FrequentItemsetTests.Miners), MemberType = typeof(FrequentItemsetTests))]
    public void Groceries_at_support_one_in_a_thousand_and_confidence_one_half_give_the_exact_counts(string miner)
    {
        var baskets = BasketTable.Encode(File.ReadLines(DataSets.File(Groceries)).Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => l.Split(',')), out var catalog);

        var itemsets = FrequentItemsetTests.Mine(miner, baskets, new ItemsetOptions { MinSupport = 0.001 });
        var rules = AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = 0.5 });

        baskets.Count.ShouldBe(9835);
        // 169 products, two of which also appear with a trailing blank ("cream cheese ", "roll products "); peers.py
        // splits lines the same way, and its counts are the reference.
        catalog.Length.ShouldBe(171);
        itemsets.MinCount.ShouldBe(10);
        itemsets.Itemsets.Count.ShouldBe(13488);
        rules.Count.ShouldBe(5831);
        rules.Count(r => r.Consequent.Length == 1).ShouldBe(5670);
        // arules' published rule lengths 2/3/4/5/6 = 11/1461/3211/939/46 plus the two rules of confidence exactly 0.5 it drops.
        rules.Where(r => r.Consequent.Length == 1).GroupBy(r => r.Antecedent.Length + 1).OrderBy(g => g.Key)
            .Select(g => g.Count()).Sum().ShouldBe(11 + 1461 + 3211 + 939 + 46 + 2);
    }
}
