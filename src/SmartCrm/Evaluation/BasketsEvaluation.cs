using System.Diagnostics;
using SmartCrm.Analytics.Baskets;

namespace SmartCrm.Evaluation;

/// <summary>
/// Frequent itemsets and rules on groceries at support 0.001 and confidence 0.5, as peers.py counts them
/// (which keeps rules of confidence exactly 0.5). One line per miner; both must agree.
/// </summary>
internal sealed class BasketsEvaluation : IEvaluationTask
{
    private const double MinSupport = 0.001;
    private const double MinConfidence = 0.5;

    public string Name => "baskets";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var lines = File.ReadAllLines(context.PathOf("groceries", "groceries.csv"));
        FrequentItemsets? first = null;
        foreach (var (algorithm, mine) in new (string, Func<BasketTable, ItemsetOptions, FrequentItemsets>)[]
        {
            ("FP-Growth", (b, o) => FpGrowth.Mine(b, o, cancellationToken: cancellationToken)),
            ("Apriori", (b, o) => Apriori.Mine(b, o, cancellationToken: cancellationToken)),
        })
        {
            // Timed from the text lines, as peers.py times from its parsed baskets: encoding is included here.
            var clock = Stopwatch.StartNew();
            var baskets = BasketTable.Encode(Baskets(lines), out _);
            var itemsets = mine(baskets, new ItemsetOptions { MinSupport = MinSupport });
            var rules = AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = MinConfidence }, cancellationToken);
            var oneItem = 0;
            foreach (var rule in rules) if (rule.Consequent.Length == 1) oneItem++;
            var seconds = clock.Elapsed.TotalSeconds;
            if (first is not null && !Same(first, itemsets)) throw new InvalidOperationException($"{algorithm} found other itemsets than FP-Growth.");
            first ??= itemsets;
            context.Report(Name, ("dataset", "groceries"), ("transactions", baskets.Count), ("min_support", MinSupport),
                ("min_confidence", MinConfidence), ("itemsets", itemsets.Itemsets.Count), ("rules", rules.Count),
                ("rules_one_item_consequent", oneItem), ("seconds", Math.Round(seconds, 3)), ("algorithm", algorithm));
        }
        return Task.CompletedTask;
    }

    /// <summary>One basket per non-blank line, items comma-separated and trimmed of the line's outer blanks, as peers.py reads them.</summary>
    private static IEnumerable<string[]> Baskets(string[] lines)
    {
        foreach (var line in lines)
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0) yield return trimmed.Split(',');
        }
    }

    private static bool Same(FrequentItemsets a, FrequentItemsets b)
    {
        if (a.Itemsets.Count != b.Itemsets.Count) return false;
        for (var i = 0; i < a.Itemsets.Count; i++)
        {
            if (a.Itemsets[i].Count != b.Itemsets[i].Count || !a.Itemsets[i].Items.AsSpan().SequenceEqual(b.Itemsets[i].Items)) return false;
        }
        return true;
    }
}
