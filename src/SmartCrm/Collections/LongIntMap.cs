namespace SmartCrm.Collections;

/// <summary>
/// A map from 64-bit keys to ints in two flat arrays (12 bytes a slot), for the matcher's indexes of millions of customers: a
/// <see cref="Dictionary{TKey,TValue}"/> spends 24 bytes an entry plus a 4-byte bucket, and rounds its size up to a prime.
/// Open addressing with linear probing; the slot count is not a power of two (the hash is scaled onto it) so a table sized
/// up front for n keys takes n / 0.75 slots rather than the next power of two above that. Key 0 marks an empty slot, so a key
/// of 0 lives beside the arrays.
/// </summary>
internal sealed class LongIntMap
{
    /// <summary>Linear probing stays short up to about three quarters full.</summary>
    private const double MaxLoad = 0.75;

    private long[] _keys;
    private int[] _values;
    private int _limit;
    private bool _hasZero;
    private int _zeroValue;

    /// <summary>A map holding <paramref name="capacity"/> keys before it first grows.</summary>
    public LongIntMap(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var slots = (int)Math.Min(Array.MaxLength, Math.Max(16L, (long)Math.Ceiling(capacity / MaxLoad) + 1));
        _keys = new long[slots];
        _values = new int[slots];
        _limit = Limit(slots);
    }

    /// <summary>How many keys the map holds.</summary>
    public int Count { get; private set; }

    /// <summary>Sets the value of <paramref name="key"/>, adding the key or replacing its value.</summary>
    public int this[long key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"LongIntMap: no key {key}.");
        set => GetValueRefOrAddDefault(key, out _) = value;
    }

    /// <summary>The value of <paramref name="key"/>, if the map has the key.</summary>
    public bool TryGetValue(long key, out int value)
    {
        if (key == 0)
        {
            value = _zeroValue;
            return _hasZero;
        }
        var keys = _keys;
        var i = Slot(key, keys.Length);
        while (true)
        {
            var at = keys[i];
            if (at == key)
            {
                value = _values[i];
                return true;
            }
            if (at == 0)
            {
                value = 0;
                return false;
            }
            if (++i == keys.Length) i = 0;
        }
    }

    /// <summary>
    /// A reference to the value of <paramref name="key"/>, added with value 0 when missing; valid until the next addition
    /// (which may move the arrays).
    /// </summary>
    public ref int GetValueRefOrAddDefault(long key, out bool exists)
    {
        if (key == 0)
        {
            exists = _hasZero;
            if (!_hasZero)
            {
                _hasZero = true;
                _zeroValue = 0;
                Count++;
            }
            return ref _zeroValue;
        }
        var i = Find(key);
        if (_keys[i] == key)
        {
            exists = true;
            return ref _values[i];
        }
        if (Count + 1 > _limit)
        {
            Grow();
            i = Find(key);
        }
        exists = false;
        _keys[i] = key;
        Count++;
        return ref _values[i];
    }

    /// <summary>The slot holding <paramref name="key"/>, or the empty slot where it would go.</summary>
    private int Find(long key)
    {
        var keys = _keys;
        var i = Slot(key, keys.Length);
        while (keys[i] != key && keys[i] != 0)
        {
            if (++i == keys.Length) i = 0;
        }
        return i;
    }

    private void Grow()
    {
        var oldKeys = _keys;
        var oldValues = _values;
        var slots = (int)Math.Min(Array.MaxLength, oldKeys.Length * 2L);
        if (slots == oldKeys.Length) throw new InvalidOperationException("LongIntMap: more keys than an array can hold.");
        _keys = new long[slots];
        _values = new int[slots];
        _limit = Limit(slots);
        for (var j = 0; j < oldKeys.Length; j++)
        {
            var key = oldKeys[j];
            if (key == 0) continue;
            var i = Find(key);
            _keys[i] = key;
            _values[i] = oldValues[j];
        }
    }

    /// <summary>At least one slot always stays empty, so a probe for a missing key ends.</summary>
    private static int Limit(int slots) => Math.Min(slots - 1, (int)(slots * MaxLoad));

    /// <summary>
    /// The home slot: the key multiplied by the golden ratio (so sequential or low-entropy keys spread), its top 32 bits scaled
    /// onto the slot count.
    /// </summary>
    private static int Slot(long key, int slots) =>
        (int)(((((ulong)key * 0x9E3779B97F4A7C15UL) >> 32) * (ulong)slots) >> 32);
}
