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

    [Fact]
    public void Mutated_5_0_connects_with_wills_are_decoded_or_refused_in_a_form_a_5_0_client_is_told()
    {
        var rng = new Random(20261207);
        var decodedWills = 0;
        var refused = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var properties = new MqttProperties
            {
                WillDelayInterval = (uint)rng.Next(),
                PayloadFormatIndicator = (byte)rng.Next(2),
                MessageExpiryInterval = rng.Next(2) == 0 ? (uint)rng.Next() : null,
                ContentType = rng.Next(2) == 0 ? PacketSamples.RandomText(rng, 10) : null,
                ResponseTopic = rng.Next(2) == 0 ? PacketSamples.RandomText(rng, 10, topicSafe: true) : null,
                CorrelationData = rng.Next(2) == 0 ? PacketSamples.RandomBytes(rng, 16) : null,
            };
            for (var u = rng.Next(4); u > 0; u--) properties.AddUserProperty(PacketSamples.RandomText(rng, 6), PacketSamples.RandomText(rng, 6));
            var payload = properties.PayloadFormatIndicator == 1 && rng.Next(2) == 0 ? Text.Bytes(PacketSamples.RandomText(rng, 10)) : PacketSamples.RandomBytes(rng, 30);
            var connect = new ConnectPacket
            {
                ProtocolVersion = MqttProtocolVersion.V500,
                ClientId = PacketSamples.RandomText(rng, 12),
                KeepAlive = (ushort)rng.Next(65536),
                Will = new MqttMessage(PacketSamples.RandomText(rng, 12, topicSafe: true), payload, (QualityOfService)rng.Next(3), rng.Next(2) == 0, properties),
            };
            var bytes = PacketEncoder.ToArray(connect, MqttProtocolVersion.V500);
            if (rng.Next(4) != 0) bytes = Mutator.Mutate(rng, bytes);
            var sequence = new ReadOnlySequence<byte>(bytes);
            try
            {
                if (new PacketDecoder(MqttProtocolVersion.V311, 64 * 1024).TryDecode(ref sequence, out var packet) && packet is ConnectPacket { Will: { } will } decoded)
                {
                    decodedWills++;
                    if (will.Properties?.PayloadFormatIndicator == 1) System.Text.Unicode.Utf8.IsValid(will.Payload.Span).ShouldBeTrue();
                    if (decoded.ProtocolVersion == MqttProtocolVersion.V500) PropertyCodec.Size(will.Properties, PropertyCodec.Will);
                }
            }
            catch (MqttProtocolException e)
            {
                refused++;
                // Whatever broke after the protocol level, a level-5 CONNECT is answered with a 5.0 CONNACK.
                if (bytes.Length > 8 && bytes[0] == 0x10 && bytes[1] is >= 7 and < 0x80 && bytes.AsSpan(2, 6).SequenceEqual("\0\u0004MQTT"u8) && bytes[8] == 5 && e.ReasonCode != ReasonCode.PacketTooLarge)
                    e.ProtocolLevel.ShouldBe((byte)5, e.Message);
            }
        }
        decodedWills.ShouldBeGreaterThan(1000);
        refused.ShouldBeGreaterThan(1000);
    }
}
