using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Baskets;

/// <summary>
/// Market baskets with items as small integer ids: each basket's distinct items, sorted, stored back to back
/// (one offsets array, one items array) so mining walks flat memory.
/// </summary>
public sealed class BasketTable
{
    private readonly int[] _offsets;
    private readonly int[] _items;

    private BasketTable(int[] offsets, int[] items, int itemCount)
    {
        this._offsets = offsets;
        this._items = items;
        ItemCount = itemCount;
    }

    /// <summary>Number of baskets.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>One more than the largest item id: item ids run from 0 to ItemCount − 1.</summary>
    public int ItemCount { get; }

    /// <summary>The distinct items of basket <paramref name="basket"/>, in increasing id order.</summary>
    public ReadOnlySpan<int> this[int basket] => _items.AsSpan(_offsets[basket], _offsets[basket + 1] - _offsets[basket]);

    /// <summary>Baskets of item ids; duplicates within a basket count once. Empty baskets are kept (they count in the support denominator).</summary>
    /// <exception cref="ArgumentException">A negative item id, or no baskets at all.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static BasketTable FromIds(IEnumerable<IEnumerable<int>> baskets)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var offsets = new List<int> { 0 };
        var items = new List<int>();
        var buffer = new List<int>();
        var itemCount = 0;
        foreach (var basket in baskets)
        {
            ArgumentNullException.ThrowIfNull(basket, nameof(baskets));
            buffer.Clear();
            foreach (var item in basket)
            {
                if (item < 0) throw new ArgumentException($"Basket {offsets.Count - 1} holds item id {item}; ids must not be negative.", nameof(baskets));
                buffer.Add(item);
            }
            buffer.Sort();
            for (var i = 0; i < buffer.Count; i++)
            {
                if (i > 0 && buffer[i] == buffer[i - 1]) continue;
                items.Add(buffer[i]);
                itemCount = Math.Max(itemCount, buffer[i] + 1);
            }
            offsets.Add(items.Count);
        }
        if (offsets.Count == 1) throw new ArgumentException("No baskets.", nameof(baskets));
        return new BasketTable(offsets.ToArray(), items.ToArray(), itemCount);
    }

    /// <summary>
    /// Baskets of any item values (product codes, names): ids are given in order of first appearance and the
    /// values behind them returned in <paramref name="catalog"/> (id i is catalog[i]).
    /// </summary>
    /// <exception cref="ArgumentException">No baskets.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static BasketTable Encode<TItem>(IEnumerable<IEnumerable<TItem>> baskets, out TItem[] catalog) where TItem : notnull
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var ids = new Dictionary<TItem, int>();
        var names = new List<TItem>();
        var encoded = new List<int[]>();
        foreach (var basket in baskets)
        {
            ArgumentNullException.ThrowIfNull(basket, nameof(baskets));
            var row = new List<int>();
            foreach (var item in basket)
            {
                if (!ids.TryGetValue(item, out var id))
                {
                    id = names.Count;
                    ids.Add(item, id);
                    names.Add(item);
                }
                row.Add(id);
            }
            encoded.Add(row.ToArray());
        }
        catalog = names.ToArray();
        return FromIds(encoded);
    }
}
