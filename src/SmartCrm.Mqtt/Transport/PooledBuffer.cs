using System.Buffers;

namespace SmartCrm.Mqtt.Transport;

/// <summary>A growable byte buffer on <see cref="ArrayPool{T}"/> that gives a big array back once drained.</summary>
internal sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 4096;
    private byte[] _array = ArrayPool<byte>.Shared.Rent(InitialSize);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(Length);
    }

    public void Reset()
    {
        Length = 0;
        if (_array.Length > 64 * 1024)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed <= _array.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0) ArrayPool<byte>.Shared.Return(array);
        Length = 0;
    }
}
