using System.Globalization;

namespace SmartCrm.Baskets;

/// <summary>
/// Chooses a customer's bought-together suggestions from the rules: rules whose products the customer has all bought and whose
/// suggestion they have not, one suggestion a product from its most confident rule, no device of a kind they already own.
/// Built once per rule set, then asked for every customer.
/// </summary>
public sealed class SuggestionChoice
{
    /// <summary>Owned products matched against the rules: antecedents of one or two of them make up to 780 keys.</summary>
    public const int MaxOwned = 40;

    /// <summary>Matching rules looked at per customer, the most confident first.</summary>
    private const int MaxCandidates = 500;

    private static readonly Comparison<BasketRule> Strongest = (a, b) =>
        b.Confidence.CompareTo(a.Confidence) is not 0 and var c ? c : b.Lift.CompareTo(a.Lift) is not 0 and var l ? l : a.Id.CompareTo(b.Id);

    private readonly Dictionary<string, List<BasketRule>> _byAntecedent = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _deviceCategories;
    private readonly ILookup<string, long> _devicesByCategory;

    /// <param name="rules">The stored rules (with their ids).</param>
    /// <param name="deviceCategories">The category of every device product.</param>
    public SuggestionChoice(IEnumerable<BasketRule> rules, Dictionary<long, string> deviceCategories)
    {
        // Lift above 1 only: below it, owning the products makes the suggestion less likely than for anyone.
        foreach (var rule in rules.Where(r => r.Lift > 1 && r.AntecedentSize <= 2))
        {
            if (!_byAntecedent.TryGetValue(rule.Antecedent, out var list)) _byAntecedent[rule.Antecedent] = list = [];
            list.Add(rule);
        }
        _deviceCategories = deviceCategories;
        _devicesByCategory = deviceCategories.ToLookup(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }

    /// <summary>Up to <paramref name="take"/> rules for a customer who owns <paramref name="owned"/> (ids in increasing order), best first.</summary>
    public List<BasketRule> For(IReadOnlyList<long> owned, int take)
    {
        var candidates = new List<BasketRule>();
        var keys = new string[owned.Count];
        for (var i = 0; i < owned.Count; i++) keys[i] = owned[i].ToString(CultureInfo.InvariantCulture);
        // Antecedents of one or two owned products, written as the table keeps them (ids in increasing order).
        for (var i = 0; i < keys.Length; i++)
        {
            Add(keys[i]);
            for (var j = i + 1; j < keys.Length; j++) Add(keys[i] + "," + keys[j]);
        }
        if (candidates.Count == 0) return [];
        candidates.Sort(Strongest);
        var have = owned.ToHashSet();
        // A device like one they own is a substitute, not a complement: buyers of a leak sensor buy either heater, but the
        // owner of the 80 L heater does not want the 50 L one suggested.
        var substitutes = new HashSet<long>();
        foreach (var product in owned)
        {
            if (_deviceCategories.TryGetValue(product, out var category)) substitutes.UnionWith(_devicesByCategory[category]);
        }
        var chosen = new List<BasketRule>();
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in candidates.Take(MaxCandidates))
        {
            var products = BasketRule.Ids(rule.Consequent);
            if (products.All(have.Contains) || products.Any(substitutes.Contains) || !suggested.Add(rule.Consequent)) continue;
            chosen.Add(rule);
            if (chosen.Count == take) break;
        }
        return chosen;

        void Add(string key)
        {
            if (_byAntecedent.TryGetValue(key, out var rules)) candidates.AddRange(rules);
        }
    }
}
