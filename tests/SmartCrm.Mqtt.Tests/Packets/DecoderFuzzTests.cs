using System.Buffers;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Packets;

public sealed class DecoderFuzzTests
{
    [Fact]
    public void A_hundred_thousand_mutated_packets_meet_only_packets_or_protocol_exceptions()
    {
        var rng = new Random(20261123);
        var decoded = 0;
        var refused = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var version = (i & 1) == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
            var bytes = Mutator.RandomMutatedPacket(rng, version);
            var decoder = new PacketDecoder(version, maximumPacketSize: 64 * 1024);
            var sequence = (i & 2) == 0 ? new ReadOnlySequence<byte>(bytes) : Segments.Of(bytes, 1 + (i % 5));
            try
            {
                var before = sequence.Length;
                while (decoder.TryDecode(ref sequence, out var packet))
                {
                    packet.ShouldNotBeNull();
                    // Progress on every packet: a decoder that does not advance would loop forever.
                    sequence.Length.ShouldBeLessThan(before);
                    before = sequence.Length;
                    decoded++;
                }
            }
            catch (MqttProtocolException)
            {
                refused++;
            }
        }
        decoded.ShouldBeGreaterThan(1000);
        refused.ShouldBeGreaterThan(1000);
    }
}
