using System.Buffers;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Packets;

public sealed class PacketCodecTests
{
    public static TheoryData<MqttProtocolVersion, int> Samples()
    {
        var data = new TheoryData<MqttProtocolVersion, int>();
        foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
        {
            var count = PacketSamples.All(version).Count();
            for (var i = 0; i < count; i++) data.Add(version, i);
        }
        return data;
    }

    private static MqttPacket RoundTrip(MqttPacket packet, MqttProtocolVersion version)
    {
        var bytes = PacketEncoder.ToArray(packet, version);
        var decoded = new PacketDecoder(version).Decode(bytes);
        decoded.Type.ShouldBe(packet.Type);
        PacketEncoder.ToArray(decoded, version).ShouldBe(bytes);
        return decoded;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_packet_type_survives_encode_and_decode(MqttProtocolVersion version, int index)
    {
        var packet = PacketSamples.All(version).ElementAt(index);
        RoundTrip(packet, version);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Fields_come_back_as_they_were_sent(MqttProtocolVersion version)
    {
        var samples = PacketSamples.All(version).ToList();
        var connect = (ConnectPacket)RoundTrip(samples[0], version);
        connect.ProtocolVersion.ShouldBe(version);
        connect.ClientId.ShouldBe("device-1");
        connect.CleanStart.ShouldBeFalse();
        connect.KeepAlive.ShouldBe((ushort)45);
        connect.UserName.ShouldBe("token");
        Text.Of(connect.Password!.Value).ShouldBe("secret");
        connect.Will!.Topic.ShouldBe("status/device-1");
        connect.Will.QualityOfService.ShouldBe(QualityOfService.AtLeastOnce);
        connect.Will.Retain.ShouldBeTrue();

        var publish = (PublishPacket)RoundTrip(samples[3], version);
        publish.Message.Topic.ShouldBe("v1/devices/me/telemetry");
        Text.Of(publish.Message.Payload).ShouldBe("{\"t\":21.5}");
        publish.Message.QualityOfService.ShouldBe(QualityOfService.ExactlyOnce);
        publish.PacketId.ShouldBe((ushort)513);
        publish.Duplicate.ShouldBeTrue();
        publish.Message.Retain.ShouldBeTrue();

        var subscribe = (SubscribePacket)RoundTrip(samples[9], version);
        subscribe.Subscriptions.Select(s => s.Filter).ShouldBe(["a/+/c", "d/#", "$share/g/e"]);
        subscribe.Subscriptions[1].QualityOfService.ShouldBe(QualityOfService.ExactlyOnce);

        if (version == MqttProtocolVersion.V500)
        {
            connect.Properties!.SessionExpiryInterval.ShouldBe(3600u);
            connect.Properties.ReceiveMaximum.ShouldBe((ushort)20);
            connect.Properties.UserProperties.ShouldBe([new UserProperty("region", "eu")]);
            connect.Will.Properties!.WillDelayInterval.ShouldBe(5u);
            publish.TopicAlias.ShouldBe((ushort)3);
            publish.SubscriptionIdentifiers.ShouldBe([5, 300]);
            publish.Message.Properties!.CorrelationData!.Value.ToArray().ShouldBe(new byte[] { 1, 2, 3 });
            publish.Message.Properties.ResponseTopic.ShouldBe("reply/here");
            subscribe.Subscriptions[1].ShouldBe(new TopicSubscription("d/#", QualityOfService.ExactlyOnce, true, true, RetainHandling.DoNotSend));
            subscribe.Properties!.SubscriptionIdentifier.ShouldBe(268_435_455);
        }
        else
        {
            connect.Properties.ShouldBeNull();
            publish.Message.Properties.ShouldBeNull();
        }
    }

    // Byte sequences built by hand from the examples and field tables of the specifications.
    public static TheoryData<MqttProtocolVersion, string, byte[]> SpecBytes => new()
    {
        { MqttProtocolVersion.V311, "CONNECT abc clean keep-alive 60", [0x10, 0x0F, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x03, (byte)'a', (byte)'b', (byte)'c'] },
        { MqttProtocolVersion.V500, "CONNECT user+password+clean, session expiry 10", [0x10, 0x19, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0xC2, 0x00, 0x0A, 0x05, 0x11, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x01, (byte)'c', 0x00, 0x01, (byte)'u', 0x00, 0x01, (byte)'p'] },
        { MqttProtocolVersion.V311, "CONNACK session present, accepted", [0x20, 0x02, 0x01, 0x00] },
        { MqttProtocolVersion.V311, "CONNACK bad user name or password", [0x20, 0x02, 0x00, 0x04] },
        { MqttProtocolVersion.V500, "CONNACK not authorised, no properties", [0x20, 0x03, 0x00, 0x87, 0x00] },
        { MqttProtocolVersion.V311, "PUBLISH a/b QoS 1 id 10 'hi'", [0x32, 0x09, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 0x00, 0x0A, (byte)'h', (byte)'i'] },
        { MqttProtocolVersion.V500, "PUBLISH a/b QoS 0 retained, topic alias 1", [0x31, 0x09, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 0x03, 0x23, 0x00, 0x01] },
        { MqttProtocolVersion.V311, "PUBACK id 10", [0x40, 0x02, 0x00, 0x0A] },
        { MqttProtocolVersion.V500, "PUBACK id 1 no matching subscribers", [0x40, 0x03, 0x00, 0x01, 0x10] },
        { MqttProtocolVersion.V311, "PUBREC id 10", [0x50, 0x02, 0x00, 0x0A] },
        { MqttProtocolVersion.V311, "PUBREL id 10 (flags 0010)", [0x62, 0x02, 0x00, 0x0A] },
        { MqttProtocolVersion.V311, "PUBCOMP id 10", [0x70, 0x02, 0x00, 0x0A] },
        { MqttProtocolVersion.V311, "SUBSCRIBE id 10: a/b QoS 1, c/d QoS 2", [0x82, 0x0E, 0x00, 0x0A, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 0x01, 0x00, 0x03, (byte)'c', (byte)'/', (byte)'d', 0x02] },
        { MqttProtocolVersion.V500, "SUBSCRIBE id 1: # with no-local, subscription id 2", [0x82, 0x09, 0x00, 0x01, 0x02, 0x0B, 0x02, 0x00, 0x01, (byte)'#', 0x04] },
        { MqttProtocolVersion.V311, "SUBACK granted 0, 1, 2, failure", [0x90, 0x06, 0x00, 0x0A, 0x00, 0x01, 0x02, 0x80] },
        { MqttProtocolVersion.V311, "UNSUBSCRIBE id 10: a/b", [0xA2, 0x07, 0x00, 0x0A, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b'] },
        { MqttProtocolVersion.V311, "UNSUBACK id 10", [0xB0, 0x02, 0x00, 0x0A] },
        { MqttProtocolVersion.V311, "PINGREQ", [0xC0, 0x00] },
        { MqttProtocolVersion.V311, "PINGRESP", [0xD0, 0x00] },
        { MqttProtocolVersion.V311, "DISCONNECT", [0xE0, 0x00] },
        { MqttProtocolVersion.V500, "DISCONNECT keep alive timeout", [0xE0, 0x01, 0x8D] },
        { MqttProtocolVersion.V500, "AUTH continue, method 'x'", [0xF0, 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, (byte)'x'] },
    };

    [Theory]
    [MemberData(nameof(SpecBytes))]
    public void Hand_built_spec_bytes_decode_and_encode_back_identically(MqttProtocolVersion version, string what, byte[] bytes)
    {
        var packet = new PacketDecoder(version).Decode(bytes);
        PacketEncoder.ToArray(packet, version).ShouldBe(bytes, what);
    }

    [Fact]
    public void Spec_connect_example_carries_the_fields_the_bytes_say()
    {
        var bytes = SpecBytes.Single(r => (string)r[1] == "CONNECT user+password+clean, session expiry 10")[2] as byte[];
        var connect = (ConnectPacket)new PacketDecoder().Decode(bytes!);
        connect.ProtocolVersion.ShouldBe(MqttProtocolVersion.V500);
        connect.CleanStart.ShouldBeTrue();
        connect.KeepAlive.ShouldBe((ushort)10);
        connect.Properties!.SessionExpiryInterval.ShouldBe(10u);
        connect.UserName.ShouldBe("u");
        Text.Of(connect.Password!.Value).ShouldBe("p");
    }

    [Fact]
    public void Packets_split_across_buffer_segments_and_arriving_byte_by_byte_decode_whole()
    {
        var packets = PacketSamples.All(MqttProtocolVersion.V500).ToList();
        var stream = packets.SelectMany(p => PacketEncoder.ToArray(p, MqttProtocolVersion.V500)).ToArray();
        var decoder = new PacketDecoder(MqttProtocolVersion.V500);
        var decoded = new List<MqttPacket>();
        var pending = new List<byte>();
        foreach (var b in stream)
        {
            pending.Add(b);
            var sequence = Segments.Of(pending.ToArray(), 3);
            while (decoder.TryDecode(ref sequence, out var packet))
            {
                decoded.Add(packet!);
                pending.RemoveRange(0, pending.Count - (int)sequence.Length);
            }
        }
        decoded.Select(p => p.Type).ShouldBe(packets.Select(p => p.Type));
        pending.ShouldBeEmpty();
    }

    [Fact]
    public void Oversize_packet_is_refused_from_its_header_before_the_body_arrives()
    {
        var decoder = new PacketDecoder(MqttProtocolVersion.V500, maximumPacketSize: 100);
        // PUBLISH announcing 200 bytes, of which only the header is here.
        var sequence = new ReadOnlySequence<byte>(new byte[] { 0x30, 0xC8, 0x01 });
        Should.Throw<MqttProtocolException>(() => decoder.TryDecode(ref sequence, out _)).ReasonCode.ShouldBe(ReasonCode.PacketTooLarge);
    }

    public static TheoryData<string, MqttProtocolVersion, byte[], ReasonCode> Malformed => new()
    {
        { "reserved type 0", MqttProtocolVersion.V311, [0x00, 0x00], ReasonCode.MalformedPacket },
        { "PUBREL with flags 0", MqttProtocolVersion.V311, [0x60, 0x02, 0x00, 0x01], ReasonCode.MalformedPacket },
        { "SUBSCRIBE with flags 0", MqttProtocolVersion.V311, [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x00], ReasonCode.MalformedPacket },
        { "PUBLISH QoS 3", MqttProtocolVersion.V311, [0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01], ReasonCode.MalformedPacket },
        { "PUBLISH QoS 0 with DUP", MqttProtocolVersion.V311, [0x38, 0x03, 0x00, 0x01, (byte)'a'], ReasonCode.MalformedPacket },
        { "PUBLISH packet id 0", MqttProtocolVersion.V311, [0x32, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x00], ReasonCode.MalformedPacket },
        { "PUBLISH topic with wildcard", MqttProtocolVersion.V311, [0x30, 0x03, 0x00, 0x01, (byte)'#'], ReasonCode.TopicNameInvalid },
        { "PUBLISH topic with U+0000", MqttProtocolVersion.V311, [0x30, 0x04, 0x00, 0x02, (byte)'a', 0x00], ReasonCode.MalformedPacket },
        { "PUBLISH topic with overlong encoding", MqttProtocolVersion.V311, [0x30, 0x04, 0x00, 0x02, 0xC0, 0xAF], ReasonCode.MalformedPacket },
        { "PUBLISH topic cut short", MqttProtocolVersion.V311, [0x30, 0x03, 0x00, 0x05, (byte)'a'], ReasonCode.MalformedPacket },
        { "PUBLISH 5.0 empty topic without alias", MqttProtocolVersion.V500, [0x30, 0x03, 0x00, 0x00, 0x00], ReasonCode.ProtocolError },
        { "PUBLISH 5.0 property not allowed (session expiry)", MqttProtocolVersion.V500, [0x30, 0x09, 0x00, 0x01, (byte)'a', 0x05, 0x11, 0x00, 0x00, 0x00, 0x01], ReasonCode.ProtocolError },
        { "PUBLISH 5.0 property twice (content type)", MqttProtocolVersion.V500, [0x30, 0x0C, 0x00, 0x01, (byte)'a', 0x08, 0x03, 0x00, 0x01, (byte)'x', 0x03, 0x00, 0x01, (byte)'y'], ReasonCode.ProtocolError },
        { "PUBLISH 5.0 topic alias 0", MqttProtocolVersion.V500, [0x30, 0x07, 0x00, 0x01, (byte)'a', 0x03, 0x23, 0x00, 0x00], ReasonCode.TopicAliasInvalid },
        { "PUBLISH 5.0 payload not UTF-8 though marked so", MqttProtocolVersion.V500, [0x30, 0x07, 0x00, 0x01, (byte)'a', 0x02, 0x01, 0x01, 0xFF], ReasonCode.PayloadFormatInvalid },
        { "CONNECT reserved flag", MqttProtocolVersion.V311, [0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x03, 0x00, 0x3C, 0x00, 0x01, (byte)'a'], ReasonCode.MalformedPacket },
        { "CONNECT will QoS without will", MqttProtocolVersion.V311, [0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x0A, 0x00, 0x3C, 0x00, 0x01, (byte)'a'], ReasonCode.MalformedPacket },
        { "CONNECT 3.1.1 password without user", MqttProtocolVersion.V311, [0x10, 0x10, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x42, 0x00, 0x3C, 0x00, 0x01, (byte)'a', 0x00, 0x01, (byte)'p'], ReasonCode.MalformedPacket },
        { "CONNECT protocol level 3", MqttProtocolVersion.V311, [0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x03, 0x02, 0x00, 0x3C, 0x00, 0x01, (byte)'a'], ReasonCode.UnsupportedProtocolVersion },
        { "SUBSCRIBE with no filter", MqttProtocolVersion.V311, [0x82, 0x02, 0x00, 0x01], ReasonCode.ProtocolError },
        { "SUBSCRIBE 3.1.1 reserved option bits", MqttProtocolVersion.V311, [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x04], ReasonCode.MalformedPacket },
        { "SUBSCRIBE 5.0 retain handling 3", MqttProtocolVersion.V500, [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, (byte)'a', 0x30], ReasonCode.MalformedPacket },
        { "SUBACK 3.1.1 unknown return code", MqttProtocolVersion.V311, [0x90, 0x03, 0x00, 0x01, 0x03], ReasonCode.MalformedPacket },
        { "PINGREQ with a body", MqttProtocolVersion.V311, [0xC0, 0x01, 0x00], ReasonCode.MalformedPacket },
        { "AUTH in 3.1.1", MqttProtocolVersion.V311, [0xF0, 0x00], ReasonCode.MalformedPacket },
        { "remaining length of five bytes", MqttProtocolVersion.V311, [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], ReasonCode.MalformedPacket },
        { "5.0 receive maximum 0", MqttProtocolVersion.V500, [0x10, 0x10, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x02, 0x00, 0x3C, 0x03, 0x21, 0x00, 0x00, 0x00, 0x00], ReasonCode.ProtocolError },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Bytes_that_break_the_specification_raise_a_protocol_exception_with_the_right_reason(string what, MqttProtocolVersion version, byte[] bytes, ReasonCode expected)
    {
        Should.Throw<MqttProtocolException>(() => new PacketDecoder(version).Decode(bytes), what).ReasonCode.ShouldBe(expected, what);
    }

    [Fact]
    public void Encoder_refuses_values_MQTT_cannot_carry()
    {
        Should.Throw<ArgumentException>(() => PacketEncoder.ToArray(new PublishPacket(new MqttMessage("a", default, QualityOfService.AtLeastOnce)), MqttProtocolVersion.V311)).Message.ShouldContain("packet identifier");
        Should.Throw<ArgumentException>(() => PacketEncoder.ToArray(new PublishPacket(new MqttMessage("bad\0topic", default)), MqttProtocolVersion.V311)).Message.ShouldContain("U+0000");
        Should.Throw<ArgumentException>(() => PacketEncoder.ToArray(new PublishPacket(new MqttMessage("half\uD800", default)), MqttProtocolVersion.V311)).Message.ShouldContain("surrogate");
        Should.Throw<ArgumentException>(() => PacketEncoder.ToArray(new PubAckPacket { PacketId = 1, Properties = new MqttProperties { ContentType = "x" } }, MqttProtocolVersion.V500)).Message.ShouldContain("not allowed");
        Should.Throw<ArgumentException>(() => PacketEncoder.ToArray(new SubscribePacket { PacketId = 1 }, MqttProtocolVersion.V311));
        Should.Throw<ArgumentException>(() => PacketEncoder.ToArray(new AuthPacket(), MqttProtocolVersion.V311));
    }

    [Fact]
    public void Spec_utf8_example_with_a_supplementary_character_decodes()
    {
        // MQTT 1.5.4 example: "A𪛔" is 41 F0 AA 9B 94.
        var bytes = new byte[] { 0x30, 0x07, 0x00, 0x05, 0x41, 0xF0, 0xAA, 0x9B, 0x94 };
        var publish = (PublishPacket)new PacketDecoder().Decode(bytes);
        publish.Message.Topic.ShouldBe("A\U0002A6D4");
    }

    [Fact]
    public void Repeated_topics_reuse_one_string()
    {
        var decoder = new PacketDecoder();
        var bytes = PacketEncoder.ToArray(new PublishPacket(new MqttMessage("v1/devices/me/telemetry", Text.Bytes("1"))), MqttProtocolVersion.V311);
        var first = (PublishPacket)decoder.Decode(bytes);
        var second = (PublishPacket)decoder.Decode(bytes);
        ReferenceEquals(first.Message.Topic, second.Message.Topic).ShouldBeTrue();
    }
}

internal static class Segments
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>The bytes as a sequence of segments of at most <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Of(byte[] bytes, int size)
    {
        if (bytes.Length <= size) return new ReadOnlySequence<byte>(bytes);
        var first = new Segment(bytes.AsMemory(0, size), 0);
        var last = first;
        for (var i = size; i < bytes.Length; i += size) last = last.Append(bytes.AsMemory(i, Math.Min(size, bytes.Length - i)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
