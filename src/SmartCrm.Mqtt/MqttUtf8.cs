using System.Text;
using System.Text.Unicode;

namespace SmartCrm.Mqtt;

/// <summary>UTF-8 string rules of MQTT (section 1.5.4): well-formed, no surrogates, no U+0000, at most 65,535 bytes.</summary>
public static class MqttUtf8
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True when <paramref name="bytes"/> is a string MQTT allows.</summary>
    public static bool IsValid(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= ushort.MaxValue && bytes.IndexOf((byte)0) < 0 && Utf8.IsValid(bytes);

    /// <summary>Decodes bytes that <see cref="IsValid"/> accepts; throws <see cref="MqttProtocolException"/> (malformed packet) otherwise.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string field)
    {
        if (bytes.IndexOf((byte)0) >= 0) throw new MqttProtocolException($"{field}: UTF-8 string contains U+0000");
        if (!Utf8.IsValid(bytes)) throw new MqttProtocolException($"{field}: ill-formed UTF-8 (or an encoded surrogate)");
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Number of bytes <paramref name="value"/> takes in UTF-8; throws <see cref="ArgumentException"/> for strings MQTT forbids (unpaired surrogates, U+0000, longer than 65,535 bytes).</summary>
    public static int GetByteCount(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (value.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException($"{field}: MQTT strings may not contain U+0000", field);
        int count;
        try
        {
            count = Strict.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{field}: unpaired surrogate in string", field, e);
        }
        if (count > ushort.MaxValue) throw new ArgumentException($"{field}: {count} bytes of UTF-8, more than the 65,535 MQTT allows", field);
        return count;
    }
}
