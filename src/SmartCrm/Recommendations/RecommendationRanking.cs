using SmartCrm.Analytics.Recommendation;
using SmartCrm.Catalog;

namespace SmartCrm.Recommendations;

/// <summary>
/// Ranks products for one customer: the implicit ALS model's scores for what they have not chosen, plus accessories that go with
/// a device they own (again, for consumables bought long enough ago), leaving out what they dismissed and any device of a kind
/// they already own (a substitute, not a complement). Each pick keeps what its reason needs.
/// </summary>
public sealed class RecommendationRanking
{
    // Co-occurrence counts are kept for catalogues up to this size (a dense matrix of ints); above it reasons name no product.
    private const int MaxCooccurrenceItems = 5_000;

    private readonly IItemScorer? _model;
    private readonly PurchaseHistory _history;
    private readonly RecommendationsOptions _options;
    private readonly DateTime _now;
    private readonly int[] _items;
    private readonly ProductFacts[] _facts;
    private readonly Dictionary<int, int> _position;
    private readonly Dictionary<long, List<int>> _chosen = [];
    private readonly int[] _chooserCount;
    private readonly int[]? _together;
    private readonly HashSet<long> _consumables;

    public RecommendationRanking(IItemScorer? model, PurchaseHistory history, RecommendationsOptions options, DateTime now)
    {
        _model = model;
        _history = history;
        _options = options;
        _now = now;
        _items = [.. history.Products.Keys.Order().Select(id => checked((int)id))];
        _facts = [.. _items.Select(id => history.Products[id])];
        _position = new Dictionary<int, int>(_items.Length);
        for (var i = 0; i < _items.Length; i++) _position[_items[i]] = i;
        foreach (var c in history.Choices)
        {
            if (!_chosen.TryGetValue(c.User, out var list)) _chosen[c.User] = list = [];
            list.Add(_position[c.Item]);
        }
        _chooserCount = new int[_items.Length];
        if (_items.Length <= MaxCooccurrenceItems) _together = new int[_items.Length * _items.Length];
        foreach (var list in _chosen.Values)
        {
            foreach (var a in list)
            {
                _chooserCount[a]++;
                if (_together is null) continue;
                foreach (var b in list) if (a != b) _together[a * _items.Length + b]++;
            }
        }
        // A consumable is what its buyers buy again: filters yes, a wall plate no. Read from the orders, not from the catalogue.
        _consumables = [.. history.Bought.GroupBy(b => b.Key.Product)
            .Where(g => (double)g.Count(b => b.Value.Orders >= 2) / g.Count() >= options.ConsumableRepeatShare)
            .Select(g => g.Key)];
    }

    /// <summary>Ranks one customer; safe to call from several threads at once (it only reads what the constructor built).</summary>
    public IReadOnlyList<Recommendation> Rank(long customer)
    {
        var scores = new double[_items.Length];
        var chosen = _chosen.TryGetValue(customer, out var list) ? list : [];
        // A customer the model never saw has no taste to go by (the model would score every product 0 for them).
        if (_model is null || chosen.Count == 0) Array.Fill(scores, double.NaN);
        else _model.Score(checked((int)customer), _items, scores);
        var owned = new bool[_items.Length];
        foreach (var i in chosen) owned[i] = true;
        var dismissed = _history.Dismissed.GetValueOrDefault(customer);
        var devices = _history.Devices.GetValueOrDefault(customer);
        Dictionary<string, long>? deviceCategories = null;
        if (devices is not null)
        {
            deviceCategories = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            foreach (var d in devices.Order())
            {
                if (_history.Products.TryGetValue(d, out var p) && p.Category is { } category) deviceCategories.TryAdd(category, d);
            }
        }
        var picks = new List<Pick>();
        for (var i = 0; i < _items.Length; i++)
        {
            var product = _facts[i];
            if (!product.Active || dismissed?.Contains(product.Id) == true) continue;
            var goesWith = product.Kind == ProductKind.Accessory && product.Category is { } c && deviceCategories?.TryGetValue(c, out var device) == true ? device : (long?)null;
            if (product.Kind == ProductKind.Device && product.Category is { } kind && deviceCategories?.ContainsKey(kind) == true) continue;
            if (goesWith is { } withDevice)
            {
                int? days = _history.Bought.TryGetValue((customer, product.Id), out var bought) ? (int)(_now - bought.Last).TotalDays : null;
                if (days is { } d && (d < _options.ReorderDays || !_consumables.Contains(product.Id))) continue;
                if (days is null && owned[i]) continue;
                var taste = double.IsNaN(scores[i]) ? 0 : scores[i];
                picks.Add(new Pick(i, _options.DeviceBonus + taste, new Recommendation
                {
                    ProductId = product.Id, Source = "device", BecauseProductId = withDevice, DaysSinceBought = days,
                }));
                continue;
            }
            if (owned[i] || double.IsNaN(scores[i])) continue;
            var (because, share) = Because(chosen, i);
            picks.Add(new Pick(i, scores[i], new Recommendation { ProductId = product.Id, Source = "similar", BecauseProductId = because, Share = share }));
        }
        // Best first; ties go to the lower product id, as the library's own top-k does, so a ranking repeats (no score is NaN here,
        // and (score, index) is unique, so any sort gives this one order).
        picks.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        // One device of a kind: two thermostats offered side by side are one offer twice (the weaker one gives its place away).
        HashSet<string>? kinds = null;
        var best = new List<Recommendation>(Math.Min(picks.Count, _options.PerCustomer));
        foreach (var pick in picks)
        {
            if (best.Count == _options.PerCustomer) break;
            if (_facts[pick.Index] is { Kind: ProductKind.Device, Category: { } kind } && !(kinds ??= new(StringComparer.OrdinalIgnoreCase)).Add(kind)) continue;
            var row = pick.Row;
            row.CustomerId = customer;
            row.Rank = best.Count + 1;
            row.Score = Math.Round(pick.Score, 4);
            best.Add(row);
        }
        return best;
    }

    private readonly record struct Pick(int Index, double Score, Recommendation Row);

    /// <summary>The customer's product whose choosers most often also chose item <paramref name="i"/>, and that share.</summary>
    private (long? Product, double? Share) Because(List<int> chosen, int i)
    {
        if (_together is null || chosen.Count == 0) return (null, null);
        var bestShare = 0.0;
        var best = -1;
        foreach (var o in chosen)
        {
            if (_chooserCount[o] == 0) continue;
            var share = (double)_together[o * _items.Length + i] / _chooserCount[o];
            if (share > bestShare) (bestShare, best) = (share, o);
        }
        return best < 0 ? (null, null) : (_items[best], Math.Round(bestShare, 3));
    }
}
