using BenchmarkDotNet.Attributes;
using SmartCrm.Analytics.Baskets;

namespace SmartCrm.Bench.Analytics;

/// <summary>Groceries at support 0.001: the two miners and rule generation at confidence 0.5.</summary>
[MemoryDiagnoser]
public class BasketBenchmarks
{
    private static readonly ItemsetOptions Support = new() { MinSupport = 0.001 };
    private BasketTable _baskets = null!;
    private FrequentItemsets _itemsets = null!;

    [GlobalSetup]
    public void Load()
    {
        var lines = File.ReadAllLines(SharedData.PathOf("groceries", "groceries.csv"));
        _baskets = BasketTable.Encode(lines.Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => l.Split(',')), out _);
        _itemsets = SmartCrm.Analytics.Baskets.FpGrowth.Mine(_baskets, Support);
    }

    [Benchmark(Baseline = true)]
    public int Apriori() => SmartCrm.Analytics.Baskets.Apriori.Mine(_baskets, Support).Itemsets.Count;

    [Benchmark]
    public int FpGrowth() => SmartCrm.Analytics.Baskets.FpGrowth.Mine(_baskets, Support).Itemsets.Count;

    [Benchmark]
    public int Rules() => AssociationRules.Generate(_itemsets, new RuleOptions { MinConfidence = 0.5 }).Count;
}
