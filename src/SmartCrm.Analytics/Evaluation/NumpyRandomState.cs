namespace SmartCrm.Analytics.Evaluation;

/// <summary>
/// The Mersenne Twister MT19937 exactly as numpy's legacy <c>np.random.RandomState(seed)</c> runs it, with numpy's
/// bounded-integer draw and in-place shuffle, so that splits made by scikit-learn with <c>random_state=seed</c> can
/// be rebuilt bit for bit.
/// </summary>
internal sealed class NumpyRandomState
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _position;

    public NumpyRandomState(uint seed)
    {
        _state[0] = seed;
        for (var i = 1; i < N; i++) _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        _position = N;
    }

    public uint NextUInt32()
    {
        if (_position >= N) Regenerate();
        var y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>numpy's random_interval: a uniform integer in [0, max] by masking and rejection.</summary>
    public long Interval(long max)
    {
        if (max == 0) return 0;
        var mask = (ulong)max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        ulong value;
        if ((ulong)max <= 0xffffffffUL)
        {
            while ((value = NextUInt32() & mask) > (ulong)max) { }
        }
        else
        {
            while ((value = (((ulong)NextUInt32() << 32) | NextUInt32()) & mask) > (ulong)max) { }
        }
        return (long)value;
    }

    /// <summary>numpy's RandomState.shuffle of a one-dimensional array.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i >= 1; i--)
        {
            var j = (int)Interval(i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void Regenerate()
    {
        const uint upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
        int k;
        for (k = 0; k < N - M; k++)
        {
            var y = (_state[k] & upper) | (_state[k + 1] & lower);
            _state[k] = _state[k + M] ^ (y >> 1) ^ ((y & 1) != 0 ? matrix : 0);
        }
        for (; k < N - 1; k++)
        {
            var y = (_state[k] & upper) | (_state[k + 1] & lower);
            _state[k] = _state[k + M - N] ^ (y >> 1) ^ ((y & 1) != 0 ? matrix : 0);
        }
        var last = (_state[N - 1] & upper) | (_state[0] & lower);
        _state[N - 1] = _state[M - 1] ^ (last >> 1) ^ ((last & 1) != 0 ? matrix : 0);
        _position = 0;
    }
}
