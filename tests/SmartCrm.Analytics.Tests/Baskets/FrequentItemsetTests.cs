using FsCheck.Xunit;
using SmartCrm.Analytics.Baskets;

namespace SmartCrm.Analytics.Tests.Baskets;

public sealed class FrequentItemsetTests
{
    /// <summary>Han and Kamber's AllElectronics baskets (Data Mining, table 6.1); items I1..I5 are ids 1..5.</summary>
    internal static readonly int[][] AllElectronics =
    [
        [1, 2, 5], [2, 4], [2, 3], [1, 2, 4], [1, 3], [2, 3], [1, 3], [1, 2, 3, 5], [1, 2, 3],
    ];

    public static TheoryData<string> Miners => ["Apriori", "FP-Growth"];

    internal static FrequentItemsets Mine(string miner, BasketTable baskets, ItemsetOptions options) =>
        miner == "Apriori" ? Apriori.Mine(baskets, options) : FpGrowth.Mine(baskets, options);

    [Theory]
    [MemberData(nameof(Miners))]
    public void The_textbook_example_yields_its_published_itemsets(string miner)
    {
        var found = Mine(miner, BasketTable.FromIds(AllElectronics), new ItemsetOptions { MinCount = 2 });

        found.Itemsets.Select(s => s.ToString()).ShouldBe(
        [
            "{1} ×6", "{2} ×7", "{3} ×6", "{4} ×2", "{5} ×2",
            "{1, 2} ×4", "{1, 3} ×4", "{1, 5} ×2", "{2, 3} ×4", "{2, 4} ×2", "{2, 5} ×2",
            "{1, 2, 3} ×2", "{1, 2, 5} ×2",
        ]);
        found.Baskets.ShouldBe(9);
        found.CountOf([1, 2, 5]).ShouldBe(2);
        found.CountOf([3, 5]).ShouldBeNull();
        found.Support(found.Itemsets[1]).ShouldBe(7.0 / 9);
    }

    [Theory]
    [MemberData(nameof(Miners))]
    public void Support_is_rounded_up_to_whole_baskets_exactly(string miner)
    {
        // 0.003 of 1,000 baskets is 3 baskets exactly (in binary floating point it is 3.0000000000000004).
        var baskets = Enumerable.Range(0, 1000).Select(i => i switch
        {
            < 3 => new[] { 1 },
            < 5 => [2],
            _ => new[] { 0 },
        });

        var found = Mine(miner, BasketTable.FromIds(baskets), new ItemsetOptions { MinSupport = 0.003 });

        found.MinCount.ShouldBe(3);
        found.Itemsets.Select(s => s.Items[0]).ShouldBe([0, 1]);
    }

    [Theory]
    [MemberData(nameof(Miners))]
    public void Length_limits_bound_the_reported_itemsets(string miner)
    {
        var found = Mine(miner, BasketTable.FromIds(AllElectronics), new ItemsetOptions { MinCount = 2, MinLength = 2, MaxLength = 2 });

        found.Itemsets.Count.ShouldBe(6);
        found.Itemsets.ShouldAllBe(s => s.Items.Length == 2);
        found.CountOf([2]).ShouldBe(7);
    }

    [Theory]
    [MemberData(nameof(Miners))]
    public void Nothing_frequent_gives_no_itemsets(string miner)
    {
        var found = Mine(miner, BasketTable.FromIds([[1], [2], [], [3]]), new ItemsetOptions { MinCount = 2 });

        found.Itemsets.ShouldBeEmpty();
        found.Baskets.ShouldBe(4);
    }

    [Theory]
    [MemberData(nameof(Miners))]
    public void Items_repeated_in_a_basket_count_once(string miner)
    {
        var found = Mine(miner, BasketTable.FromIds([[7, 7, 7], [7]]), new ItemsetOptions { MinCount = 2 });

        found.Itemsets.Single().ShouldBe(found.Itemsets[0]);
        found.Itemsets[0].Count.ShouldBe(2);
    }

    [Property(MaxTest = 150)]
    public bool Apriori_and_FP_Growth_find_exactly_the_itemsets_of_brute_force_counting(int seed, byte itemCount, byte basketCount, byte minCount, byte maxLength)
    {
        var items = 1 + itemCount % 10;
        var random = new Random(seed);
        var baskets = Enumerable.Range(0, 1 + basketCount % 50)
            .Select(_ => Enumerable.Range(0, items).Where(_ => random.NextDouble() < 0.4).ToArray())
            .ToArray();
        var options = new ItemsetOptions { MinCount = 1 + minCount % 4, MaxLength = 1 + maxLength % 6 };
        var table = BasketTable.FromIds(baskets);

        var apriori = Apriori.Mine(table, options).Itemsets.Select(s => s.ToString()).ToArray();
        var fpGrowth = FpGrowth.Mine(table, options).Itemsets.Select(s => s.ToString()).ToArray();
        var expected = BruteForce(baskets, items, options.MinCount!.Value, options.MaxLength).Select(s => s.ToString()).ToArray();

        return apriori.SequenceEqual(expected) && fpGrowth.SequenceEqual(expected);
    }

    [Fact]
    public void Encoding_names_gives_ids_in_order_of_first_appearance()
    {
        var table = BasketTable.Encode([["milk", "bread"], ["bread", "eggs", "bread"]], out var catalog);

        catalog.ShouldBe(["milk", "bread", "eggs"]);
        table.Count.ShouldBe(2);
        table.ItemCount.ShouldBe(3);
        table[1].ToArray().ShouldBe([1, 2]);
    }

    [Fact]
    public void No_baskets_is_rejected()
    {
        Should.Throw<ArgumentException>(() => BasketTable.FromIds([])).Message.ShouldContain("No baskets");
    }

    [Fact]
    public void A_negative_item_id_is_rejected()
    {
        Should.Throw<ArgumentException>(() => BasketTable.FromIds([[1], [2, -3]])).Message.ShouldContain("Basket 1 holds item id -3");
    }

    [Theory]
    [InlineData(0.0, null, 1, 5)]
    [InlineData(1.5, null, 1, 5)]
    [InlineData(double.NaN, null, 1, 5)]
    [InlineData(0.1, 0, 1, 5)]
    [InlineData(0.1, null, 0, 5)]
    [InlineData(0.1, null, 3, 2)]
    public void Invalid_options_are_rejected(double support, int? count, int minLength, int maxLength)
    {
        var options = new ItemsetOptions { MinSupport = support, MinCount = count, MinLength = minLength, MaxLength = maxLength };
        var table = BasketTable.FromIds(AllElectronics);

        Should.Throw<ArgumentException>(() => Apriori.Mine(table, options)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentException>(() => FpGrowth.Mine(table, options)).ParamName.ShouldBe("options");
    }

    [Fact]
    public void A_cancelled_mining_stops()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var table = BasketTable.FromIds(AllElectronics);

        Should.Throw<OperationCanceledException>(() => Apriori.Mine(table, new ItemsetOptions { MinCount = 2 }, cancellationToken: cancellation.Token));
        Should.Throw<OperationCanceledException>(() => FpGrowth.Mine(table, new ItemsetOptions { MinCount = 2 }, cancellationToken: cancellation.Token));
    }

    /// <summary>Every subset of the item universe counted against every basket, in canonical order.</summary>
    internal static List<FrequentItemset> BruteForce(int[][] baskets, int items, int minCount, int maxLength)
    {
        var found = new List<FrequentItemset>();
        for (var mask = 1; mask < 1 << items; mask++)
        {
            var set = Enumerable.Range(0, items).Where(i => (mask & (1 << i)) != 0).ToArray();
            if (set.Length > maxLength) continue;
            var count = baskets.Count(b => set.All(b.Contains));
            if (count >= minCount) found.Add(new FrequentItemset(set, count));
        }
        return found.OrderBy(s => s.Items.Length).ThenBy(s => string.Join(",", s.Items.Select(i => i.ToString("D3")))).ToList();
    }
}
