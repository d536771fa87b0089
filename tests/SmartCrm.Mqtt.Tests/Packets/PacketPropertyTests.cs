using System.Buffers;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Packets;

public sealed record VbiValue(int Value);

public sealed record PacketSeed(int Seed, MqttProtocolVersion Version);

public sealed record TopicCase(string Filter, string Topic);

public static class MqttArbitraries
{
    public static Arbitrary<VbiValue> Vbi() =>
        Arb.From(Gen.OneOf(Gen.Choose(0, 300), Gen.Choose(0, VariableByteInteger.MaxValue), Gen.Elements(127, 128, 16_383, 16_384, 2_097_151, 2_097_152, VariableByteInteger.MaxValue)).Select(v => new VbiValue(v)));

    public static Arbitrary<PacketSeed> Packets() =>
        Arb.From(Gen.Choose(0, int.MaxValue).Zip(Gen.Elements(MqttProtocolVersion.V311, MqttProtocolVersion.V500)).Select(t => new PacketSeed(t.Item1, t.Item2)));

    private static readonly string[] FilterLevels = ["a", "b", "", "+", "#", "$s"];
    private static readonly string[] TopicLevels = ["a", "b", "", "$s"];

    public static Arbitrary<TopicCase> TopicCases()
    {
        var filter = Gen.Choose(1, 4).SelectMany(n => Gen.Elements(FilterLevels).ArrayOf(n)).Select(a => string.Join('/', a)).Where(f => Topics.ValidateFilter(f) is null);
        var topic = Gen.Choose(1, 4).SelectMany(n => Gen.Elements(TopicLevels).ArrayOf(n)).Select(a => string.Join('/', a)).Where(t => t.Length > 0);
        return Arb.From(filter.Zip(topic).Select(t => new TopicCase(t.Item1, t.Item2)));
    }
}

[Properties(Arbitrary = [typeof(MqttArbitraries)], MaxTest = 300)]
public sealed class PacketPropertyTests
{
    [Property]
    public bool Variable_byte_integers_round_trip(VbiValue v)
    {
        var buffer = new byte[4];
        var written = VariableByteInteger.Write(buffer, v.Value);
        return written == VariableByteInteger.Size(v.Value)
            && VariableByteInteger.TryRead(buffer.AsSpan(0, written), out var read, out var length)
            && read == v.Value && length == written;
    }

    [Property(MaxTest = 2000)]
    public bool Random_packets_encode_decode_and_encode_to_the_same_bytes(PacketSeed seed)
    {
        var packet = PacketSamples.Random(new Random(seed.Seed), seed.Version);
        var bytes = PacketEncoder.ToArray(packet, seed.Version);
        var decoder = new PacketDecoder(seed.Version);
        var sequence = Segments.Of(bytes, 1 + (seed.Seed % 7));
        return decoder.TryDecode(ref sequence, out var decoded)
            && sequence.Length == 0
            && decoded!.Type == packet.Type
            && PacketEncoder.ToArray(decoded, seed.Version).AsSpan().SequenceEqual(bytes);
    }

    [Property(MaxTest = 1000)]
    public bool Any_string_either_travels_unchanged_as_a_topic_or_is_refused_by_the_encoder(string? topic)
    {
        if (topic is null) return true;
        var allowed = topic.Length > 0 && !topic.Contains('\0') && !topic.Contains('+') && !topic.Contains('#') && WellFormed(topic) && System.Text.Encoding.UTF8.GetByteCount(topic) <= ushort.MaxValue;
        byte[] bytes;
        try
        {
            bytes = PacketEncoder.ToArray(new PublishPacket(new MqttMessage(topic, default)), MqttProtocolVersion.V311);
        }
        catch (ArgumentException)
        {
            return !allowed || topic.Contains('+') || topic.Contains('#');
        }
        var decoded = (PublishPacket)new PacketDecoder().Decode(bytes);
        return allowed && decoded.Message.Topic == topic;
    }

    private static bool WellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    [Property(MaxTest = 1000)]
    public bool Topic_matching_agrees_with_a_regular_expression_reading_of_the_specification(TopicCase c)
    {
        return Topics.Matches(c.Filter, c.Topic) == Reference(c.Filter, c.Topic);
    }

    private static bool Reference(string filter, string topic)
    {
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#'))) return false;
        var pattern = "^" + string.Join("/", filter.Split('/').Select(level => level switch
        {
            "+" => "[^/]*",
            "#" => "\u0001",
            _ => Regex.Escape(level),
        })) + "$";
        // "x/#" matches "x" and everything under it; a lone "#" matches everything.
        pattern = pattern.Replace("/\u0001", "(/.*)?", StringComparison.Ordinal).Replace("\u0001", ".*", StringComparison.Ordinal);
        return Regex.IsMatch(topic, pattern);
    }

    [Property(MaxTest = 3000)]
    public bool Decoder_meets_arbitrary_bytes_with_a_packet_or_a_protocol_exception(byte[]? bytes, bool v5)
    {
        if (bytes is null) return true;
        var decoder = new PacketDecoder(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311);
        var sequence = new ReadOnlySequence<byte>(bytes);
        try
        {
            while (decoder.TryDecode(ref sequence, out _))
            {
            }
            return true;
        }
        catch (MqttProtocolException)
        {
            return true;
        }
    }
}
