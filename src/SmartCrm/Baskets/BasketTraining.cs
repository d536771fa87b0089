using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore.Storage;
using SmartCrm.Analytics.Baskets;
using SmartCrm.Catalog;
using SmartCrm.Models;
using SmartCrm.Orders;
using SmartCrm.Storage;

namespace SmartCrm.Baskets;

/// <summary>
/// Mines basket rules from the orders (FP-Growth, then rules by confidence), measures the rules mined from the older orders on
/// the newest ones (how often a rule that applies to an order comes true there), and offers the rules mined from all orders to
/// the registry. When the version activates, its rules replace the table's.
/// </summary>
public sealed class BasketTraining(IDbContextFactory<CrmDb> contexts, IOptions<BasketsOptions> options, ILogger<BasketTraining> logger) : ModelTraining
{
    public const string Name = "baskets";

    public override string Kind => Name;

    public override async Task<ModelCandidate> TrainAsync(TrainingProgress progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await progress.ReportAsync(0.05, "reading orders", cancellationToken);
        var (baskets, from, to) = await ReadAsync(cancellationToken);
        if (baskets.Count < 10) throw new InvalidOperationException($"Basket rules need at least 10 orders with products; there are {baskets.Count}.");

        var split = Math.Clamp((int)Math.Floor(baskets.Count * (1 - settings.Holdout)), 1, baskets.Count - 1);
        await progress.ReportAsync(0.3, $"mining the {split:N0} older orders", cancellationToken);
        var (_, older) = Mine(baskets.GetRange(0, split), settings, cancellationToken);
        var (applied, held) = Measure(older, baskets.GetRange(split, baskets.Count - split));

        await progress.ReportAsync(0.6, $"mining all {baskets.Count:N0} orders", cancellationToken);
        var (itemsets, rules) = Mine(baskets, settings, cancellationToken);
        var kept = rules.OrderByDescending(r => r.Lift).ThenByDescending(r => r.Count).Take(settings.MaxRules).ToList();
        var score = applied == 0 ? 0 : (double)held / applied;
        var metrics = new Dictionary<string, double>
        {
            ["holdout_confidence"] = Math.Round(score, 6),
            ["holdout_applied"] = applied,
            ["orders"] = baskets.Count,
            ["itemsets"] = itemsets,
            ["rules"] = rules.Count,
            ["rules_kept"] = kept.Count,
            ["min_support"] = settings.MinSupport,
            ["min_confidence"] = settings.MinConfidence,
        };
        logger.LogInformation("Basket rules: {Orders} orders, {Itemsets} itemsets, {Rules} rules, holdout confidence {Score:0.###} over {Applied} applications",
            baskets.Count, itemsets, rules.Count, score, applied);
        return new ModelCandidate(Kind, "holdout_confidence", score, true, metrics, from, to, JsonSerializer.SerializeToUtf8Bytes(kept));
    }

    /// <summary>Suggestions stored per customer, as many as the 360 and the API show.</summary>
    public const int Suggested = 10;

    public override async Task ActivatedAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEnabled = false;
        var payload = await db.ModelVersions.Where(v => v.Id == version.Id).Select(v => v.Payload).SingleAsync(cancellationToken);
        var rules = JsonSerializer.Deserialize<List<MinedRule>>(payload ?? "[]"u8) ?? [];
        var owners = await OwnersAsync(db, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.CustomerSuggestions.ExecuteDeleteAsync(cancellationToken);
        await db.BasketRules.ExecuteDeleteAsync(cancellationToken);
        var stored = new List<BasketRule>(rules.Count);
        foreach (var chunk in rules.Chunk(2_000))
        {
            var rows = chunk.Select(r => new BasketRule
            {
                ModelVersionId = version.Id,
                Antecedent = string.Join(',', r.Antecedent),
                AntecedentSize = r.Antecedent.Length,
                Consequent = string.Join(',', r.Consequent),
                Count = r.Count,
                Support = r.Support,
                Confidence = r.Confidence,
                Lift = r.Lift,
            }).ToList();
            db.BasketRules.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            stored.AddRange(rows);
        }
        var suggestions = 0;
        // Read before the insert starts: on PostgreSQL the connection is in COPY until it completes.
        var choose = new SuggestionChoice(stored, await DeviceCategoriesAsync(db, cancellationToken));
        await using (var insert = await BulkInsert.StartAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "customer_suggestions",
            ["CustomerId", "Rank", "RuleId"], cancellationToken))
        {
            foreach (var (customer, owned) in owners)
            {
                var rank = 0;
                foreach (var rule in choose.For(owned, Suggested))
                {
                    await insert.AddAsync([customer, ++rank, rule.Id], cancellationToken);
                    suggestions++;
                }
            }
            await insert.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Basket rules of version {Version}: {Rules} rules, {Suggestions} suggestions for {Customers} customers with orders",
            version.Version, stored.Count, suggestions, owners.Count);
    }

    /// <summary>
    /// Each customer's distinct products over all their orders, in increasing order, the first 40 (what a customer's suggestions
    /// are matched against): one pass over the order lines, customer by customer.
    /// </summary>
    private static async Task<List<(long Customer, List<long> Owned)>> OwnersAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var pairs = db.Orders.Join(db.OrderLines, o => o.Id, l => l.OrderId, (o, l) => new { o.CustomerId, l.ProductId }).Distinct()
            .OrderBy(x => x.CustomerId).ThenBy(x => x.ProductId);
        var owners = new List<(long, List<long>)>();
        List<long>? current = null;
        long customer = 0;
        await foreach (var pair in pairs.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (current is null || pair.CustomerId != customer)
            {
                current = [];
                customer = pair.CustomerId;
                owners.Add((customer, current));
            }
            if (current.Count < SuggestionChoice.MaxOwned) current.Add(pair.ProductId);
        }
        return owners;
    }

    /// <summary>The category of every device product (a device like one the customer owns is a substitute, not a complement).</summary>
    private static async Task<Dictionary<long, string>> DeviceCategoriesAsync(CrmDb db, CancellationToken cancellationToken) =>
        await db.Products.Where(p => p.Kind == ProductKind.Device && p.Category != null)
            .ToDictionaryAsync(p => p.Id, p => p.Category!, cancellationToken);

    /// <summary>Each order's distinct products, oldest order first; cancelled orders were never bought.</summary>
    private async Task<(List<long[]> Baskets, DateTime From, DateTime To)> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var lines = from line in db.OrderLines
                    join order in db.Orders on line.OrderId equals order.Id
                    where order.Status != OrderStatus.Cancelled
                    orderby order.OrderedAt, order.Id
                    select new { order.Id, order.OrderedAt, line.ProductId };
        var baskets = new List<long[]>();
        var current = new List<long>();
        long orderId = -1;
        DateTime from = default, to = default;
        await foreach (var line in lines.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (line.Id != orderId)
            {
                if (current.Count > 0) baskets.Add([.. current.Distinct()]);
                current.Clear();
                orderId = line.Id;
                if (baskets.Count == 0) from = line.OrderedAt;
                to = line.OrderedAt;
            }
            current.Add(line.ProductId);
        }
        if (current.Count > 0) baskets.Add([.. current.Distinct()]);
        return (baskets, from, to);
    }

    private static (int Itemsets, List<MinedRule> Rules) Mine(List<long[]> baskets, BasketsOptions settings, CancellationToken cancellationToken)
    {
        var table = BasketTable.Encode(baskets, out var products);
        var itemsets = FpGrowth.Mine(table, new ItemsetOptions { MinSupport = settings.MinSupport }, cancellationToken: cancellationToken);
        var rules = AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = settings.MinConfidence }, cancellationToken);
        var mined = new List<MinedRule>(rules.Count);
        foreach (var rule in rules)
        {
            mined.Add(new MinedRule(Products(rule.Antecedent, products), Products(rule.Consequent, products), rule.Count, rule.Support, rule.Confidence, rule.Lift));
        }
        return (itemsets.Itemsets.Count, mined);
    }

    private static long[] Products(int[] items, long[] products)
    {
        var ids = new long[items.Length];
        for (var i = 0; i < items.Length; i++) ids[i] = products[items[i]];
        Array.Sort(ids);
        return ids;
    }

    /// <summary>How many times a rule applied to a held-out order (it held every product of the antecedent), and how many of those it came true.</summary>
    private static (long Applied, long Held) Measure(List<MinedRule> rules, List<long[]> holdout)
    {
        var orders = holdout.ConvertAll(b =>
        {
            var sorted = (long[])b.Clone();
            Array.Sort(sorted);
            return sorted;
        });
        long applied = 0, held = 0;
        foreach (var rule in rules)
        {
            foreach (var order in orders)
            {
                if (!Holds(order, rule.Antecedent)) continue;
                applied++;
                if (Holds(order, rule.Consequent)) held++;
            }
        }
        return (applied, held);
    }

    private static bool Holds(long[] order, long[] products)
    {
        foreach (var product in products)
        {
            if (Array.BinarySearch(order, product) < 0) return false;
        }
        return true;
    }

    /// <summary>A rule as the version's payload keeps it: product ids, not the miner's item numbers.</summary>
    private sealed record MinedRule(long[] Antecedent, long[] Consequent, int Count, double Support, double Confidence, double Lift);
}
