namespace SmartCrm.Mqtt.Packets;

/// <summary>Variable byte integers (MQTT 1.5.5): 7 bits per byte, high bit = more bytes follow, at most 4 bytes.</summary>
public static class VariableByteInteger
{
    /// <summary>Largest value four bytes can hold: 268,435,455.</summary>
    public const int MaxValue = 268_435_455;

    /// <summary>Bytes needed for <paramref name="value"/>.</summary>
    public static int Size(int value) => value switch
    {
        < 0 or > MaxValue => throw new ArgumentOutOfRangeException(nameof(value), value, "A variable byte integer holds 0..268,435,455"),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    /// <summary>Writes <paramref name="value"/> and returns the number of bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        var size = Size(value);
        for (var i = 0; i < size; i++)
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = i < size - 1 ? (byte)(b | 0x80) : b;
        }
        return size;
    }

    /// <summary>
    /// Reads a value: returns true with <paramref name="value"/> and <paramref name="length"/> when complete, false when
    /// <paramref name="source"/> ends first; throws <see cref="MqttProtocolException"/> when a fifth byte would be needed.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int length)
    {
        value = 0;
        for (var i = 0; i < 4; i++)
        {
            if (i >= source.Length)
            {
                length = 0;
                return false;
            }
            var b = source[i];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                length = i + 1;
                return true;
            }
        }
        throw new MqttProtocolException("Variable byte integer longer than 4 bytes");
    }
}
