namespace SmartCrm.Collections;

/// <summary>
/// An index from a per-customer key (email or phone hash) to the customer's position, keeping only the positions (4 bytes a
/// slot): the keys already sit in the matcher's per-customer array, so a probe compares against that array instead of storing
/// each key a second time as <see cref="LongIntMap"/> would. Open addressing with linear probing, at most three quarters full.
/// </summary>
internal sealed class KeyPositions
{
    private const double MaxLoad = 0.75;

    /// <summary>Position + 1 of the customer in each slot; 0 is an empty slot.</summary>
    private int[] _slots;
    private int _limit;

    /// <summary>An index holding <paramref name="capacity"/> keys before it first grows.</summary>
    public KeyPositions(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _slots = new int[(int)Math.Min(Array.MaxLength, Math.Max(16L, (long)Math.Ceiling(capacity / MaxLoad) + 1))];
        _limit = Limit(_slots.Length);
    }

    /// <summary>How many distinct keys the index holds.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Makes <paramref name="position"/> the one found for its key <c>keys[position]</c>, replacing an earlier customer with the
    /// same key. <paramref name="keys"/> holds every indexed customer's key at its position; a key of 0 (none) is not indexed.
    /// </summary>
    public void Set(int position, long[] keys)
    {
        var key = keys[position];
        if (key == 0) throw new ArgumentException("KeyPositions.Set: key 0 means no key and cannot be indexed.", nameof(keys));
        var i = Find(key, keys);
        if (_slots[i] != 0)
        {
            _slots[i] = position + 1;
            return;
        }
        if (Count + 1 > _limit)
        {
            Grow(keys);
            i = Find(key, keys);
        }
        _slots[i] = position + 1;
        Count++;
    }

    /// <summary>The position last set for <paramref name="key"/>, if any; <paramref name="keys"/> as given to <see cref="Set"/>.</summary>
    public bool TryGetPosition(long key, long[] keys, out int position)
    {
        var i = Find(key, keys);
        position = _slots[i] - 1;
        return position >= 0;
    }

    /// <summary>The slot holding <paramref name="key"/>, or the empty slot where it would go.</summary>
    private int Find(long key, long[] keys)
    {
        var slots = _slots;
        var i = Slot(key, slots.Length);
        while (true)
        {
            var at = slots[i];
            if (at == 0 || keys[at - 1] == key) return i;
            if (++i == slots.Length) i = 0;
        }
    }

    private void Grow(long[] keys)
    {
        var old = _slots;
        var size = (int)Math.Min(Array.MaxLength, old.Length * 2L);
        if (size == old.Length) throw new InvalidOperationException("KeyPositions: more keys than an array can hold.");
        _slots = new int[size];
        _limit = Limit(size);
        foreach (var at in old)
        {
            if (at != 0) _slots[Find(keys[at - 1], keys)] = at;
        }
    }

    /// <summary>At least one slot always stays empty, so a probe for a missing key ends.</summary>
    private static int Limit(int slots) => Math.Min(slots - 1, (int)(slots * MaxLoad));

    /// <summary>The key times the golden ratio (so low-entropy keys spread), its top 32 bits scaled onto the slot count.</summary>
    private static int Slot(long key, int slots) =>
        (int)(((((ulong)key * 0x9E3779B97F4A7C15UL) >> 32) * (ulong)slots) >> 32);
}
