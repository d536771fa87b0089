using System.Buffers;
using System.Text;

namespace SmartCrm.Mqtt.Packets;

/// <summary>
/// Decodes MQTT packets from a byte stream for one connection. Holds the connection's protocol version, the
/// largest packet it accepts, and a small cache of recent topic strings so that a device publishing to the same
/// topics does not allocate a new string per message.
/// </summary>
public sealed class PacketDecoder
{
    /// <summary>Largest packet the protocol can express: fixed header (5 bytes) plus 268,435,455.</summary>
    public const int ProtocolMaximumPacketSize = 268_435_460;

    private const int CacheSize = 8;
    private readonly byte[]?[] _topicBytes = new byte[CacheSize][];
    private readonly string?[] _topicStrings = new string[CacheSize];
    private int _nextSlot;

    /// <summary>Creates a decoder.</summary>
    public PacketDecoder(MqttProtocolVersion protocolVersion = MqttProtocolVersion.V311, int maximumPacketSize = ProtocolMaximumPacketSize)
    {
        ProtocolVersion = protocolVersion;
        MaximumPacketSize = maximumPacketSize;
    }

    /// <summary>Version used for every packet but CONNECT (which carries its own).</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; }

    /// <summary>Largest whole packet (fixed header included) accepted; larger ones raise <see cref="ReasonCode.PacketTooLarge"/> as soon as their header is read.</summary>
    public int MaximumPacketSize { get; set; }

    /// <summary>
    /// Takes one packet off the front of <paramref name="buffer"/> when it is complete (advancing the buffer past it);
    /// returns false and leaves the buffer alone when more bytes are needed. Throws <see cref="MqttProtocolException"/>
    /// for bytes that break the specification.
    /// </summary>
    public bool TryDecode(ref ReadOnlySequence<byte> buffer, out MqttPacket? packet)
    {
        packet = null;
        if (buffer.Length < 2) return false;
        Span<byte> head = stackalloc byte[5];
        var headLength = (int)Math.Min(5, buffer.Length);
        buffer.Slice(0, headLength).CopyTo(head);
        if (!VariableByteInteger.TryRead(head[1..headLength], out var remaining, out var lengthBytes)) return false;
        var total = 1L + lengthBytes + remaining;
        if (total > MaximumPacketSize) throw new MqttProtocolException(ReasonCode.PacketTooLarge, $"Packet of {total} bytes exceeds the maximum of {MaximumPacketSize}");
        if (buffer.Length < total) return false;
        var bodySequence = buffer.Slice(1 + lengthBytes, remaining);
        if (bodySequence.IsSingleSegment)
        {
            packet = DecodeBody(head[0], bodySequence.FirstSpan);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(remaining);
            try
            {
                bodySequence.CopyTo(rented);
                packet = DecodeBody(head[0], rented.AsSpan(0, remaining));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Decodes exactly one whole packet (fixed header included); trailing or missing bytes are malformed.</summary>
    public MqttPacket Decode(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 2) throw new MqttProtocolException("Packet shorter than a fixed header");
        if (!VariableByteInteger.TryRead(packet[1..], out var remaining, out var lengthBytes)) throw new MqttProtocolException("Packet ends inside its remaining length");
        if (1 + lengthBytes + remaining != packet.Length) throw new MqttProtocolException($"Remaining length {remaining} does not match the {packet.Length - 1 - lengthBytes} bytes given");
        if (packet.Length > MaximumPacketSize) throw new MqttProtocolException(ReasonCode.PacketTooLarge, $"Packet of {packet.Length} bytes exceeds the maximum of {MaximumPacketSize}");
        return DecodeBody(packet[0], packet[(1 + lengthBytes)..]);
    }

    private MqttPacket DecodeBody(byte header, ReadOnlySpan<byte> body)
    {
        var type = (PacketType)(header >> 4);
        var flags = header & 0x0F;
        var expectedFlags = type is PacketType.PubRel or PacketType.Subscribe or PacketType.Unsubscribe ? 2 : 0;
        if (type != PacketType.Publish && flags != expectedFlags)
            throw new MqttProtocolException($"Fixed header flags 0x{flags:X} are reserved for {type}");
        var reader = new PacketReader(body);
        var v5 = ProtocolVersion == MqttProtocolVersion.V500;
        MqttPacket packet = type switch
        {
            PacketType.Connect => ReadConnect(ref reader),
            PacketType.ConnAck => ReadConnAck(ref reader, v5),
            PacketType.Publish => ReadPublish(ref reader, flags, v5),
            PacketType.PubAck => ReadResponse(ref reader, new PubAckPacket(), v5),
            PacketType.PubRec => ReadResponse(ref reader, new PubRecPacket(), v5),
            PacketType.PubRel => ReadResponse(ref reader, new PubRelPacket(), v5),
            PacketType.PubComp => ReadResponse(ref reader, new PubCompPacket(), v5),
            PacketType.Subscribe => ReadSubscribe(ref reader, v5),
            PacketType.SubAck => ReadSubAck(ref reader, v5),
            PacketType.Unsubscribe => ReadUnsubscribe(ref reader, v5),
            PacketType.UnsubAck => ReadUnsubAck(ref reader, v5),
            PacketType.PingReq => PingReqPacket.Instance,
            PacketType.PingResp => PingRespPacket.Instance,
            PacketType.Disconnect => ReadDisconnect(ref reader, v5),
            PacketType.Auth when v5 => ReadAuth(ref reader),
            PacketType.Auth => throw new MqttProtocolException("AUTH does not exist in MQTT 3.1.1"),
            _ => throw new MqttProtocolException("Packet type 0 is reserved"),
        };
        if (!reader.End)
        {
            throw new MqttProtocolException($"{reader.Remaining} unexpected bytes at the end of {type}")
            {
                ProtocolLevel = packet is ConnectPacket { ProtocolVersion: MqttProtocolVersion.V500 } ? (byte)5 : (byte)0,
            };
        }
        return packet;
    }

    private static ConnectPacket ReadConnect(ref PacketReader r)
    {
        var nameBytes = r.ReadBinary();
        var level = r.ReadByte();
        if (!nameBytes.SequenceEqual("MQTT"u8))
        {
            var name = Encoding.UTF8.GetString(nameBytes);
            throw new MqttProtocolException(ReasonCode.UnsupportedProtocolVersion, $"Protocol name '{name}' level {level} is not MQTT 3.1.1 or 5.0") { ProtocolLevel = level };
        }
        if (level is not (4 or 5)) throw new MqttProtocolException(ReasonCode.UnsupportedProtocolVersion, $"Protocol level {level} is not supported (4 = 3.1.1, 5 = 5.0)") { ProtocolLevel = level };
        var version = (MqttProtocolVersion)level;
        try
        {
            return ReadConnectBody(ref r, version);
        }
        catch (MqttProtocolException e) when (version == MqttProtocolVersion.V500 && e.ProtocolLevel == 0)
        {
            // Marked with the level so that the broker can tell a 5.0 client why in CONNACK.
            throw new MqttProtocolException(e.ReasonCode, e.Message) { ProtocolLevel = level };
        }
    }

    private static ConnectPacket ReadConnectBody(ref PacketReader r, MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var flags = r.ReadByte();
        if ((flags & 0x01) != 0) throw new MqttProtocolException("CONNECT reserved flag is set");
        var willFlag = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var hasUser = (flags & 0x80) != 0;
        if (willQos == 3) throw new MqttProtocolException("Will QoS 3");
        if (!willFlag && (willQos != 0 || willRetain)) throw new MqttProtocolException("Will QoS or retain set without a will");
        if (!v5 && hasPassword && !hasUser) throw new MqttProtocolException("Password without user name (MQTT 3.1.1)");
        var packet = new ConnectPacket { ProtocolVersion = version, CleanStart = (flags & 0x02) != 0, KeepAlive = r.ReadUInt16() };
        if (v5) packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.Connect, out _, out _);
        packet.ClientId = r.ReadString("client identifier");
        if (willFlag)
        {
            var willProperties = v5 ? PropertyCodec.Read(ref r, PropertyCodec.Will, out _, out _) : null;
            var topic = r.ReadString("will topic");
            if (Topics.ValidateName(topic) is { } why) throw new MqttProtocolException(ReasonCode.TopicNameInvalid, "Will topic: " + why);
            var payload = r.ReadBinary();
            if (willProperties?.PayloadFormatIndicator == 1 && !System.Text.Unicode.Utf8.IsValid(payload))
                throw new MqttProtocolException(ReasonCode.PayloadFormatInvalid, "Will payload marked as UTF-8 is not well-formed UTF-8");
            packet.Will = new MqttMessage(topic, payload.ToArray(), (QualityOfService)willQos, willRetain, willProperties);
        }
        if (hasUser) packet.UserName = r.ReadString("user name");
        if (hasPassword) packet.Password = r.ReadBinary().ToArray();
        return packet;
    }

    private static ConnAckPacket ReadConnAck(ref PacketReader r, bool v5)
    {
        var flags = r.ReadByte();
        if ((flags & 0xFE) != 0) throw new MqttProtocolException("CONNACK reserved flags are set");
        var code = r.ReadByte();
        var packet = new ConnAckPacket { SessionPresent = flags == 1 };
        if (v5)
        {
            packet.ReasonCode = (ReasonCode)code;
            packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.ConnAck, out _, out _);
        }
        else
        {
            packet.ReasonCode = code switch
            {
                0 => ReasonCode.Success,
                1 => ReasonCode.UnsupportedProtocolVersion,
                2 => ReasonCode.ClientIdentifierNotValid,
                3 => ReasonCode.ServerUnavailable,
                4 => ReasonCode.BadUserNameOrPassword,
                5 => ReasonCode.NotAuthorized,
                _ => throw new MqttProtocolException($"CONNACK return code {code} does not exist in MQTT 3.1.1"),
            };
        }
        return packet;
    }

    private PublishPacket ReadPublish(ref PacketReader r, int flags, bool v5)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos == 3) throw new MqttProtocolException("PUBLISH with QoS 3");
        var dup = (flags & 0x08) != 0;
        if (dup && qos == 0) throw new MqttProtocolException("PUBLISH QoS 0 with the DUP flag");
        var topic = ReadTopic(ref r);
        ushort id = 0;
        if (qos > 0)
        {
            id = r.ReadUInt16();
            if (id == 0) throw new MqttProtocolException("Packet identifier 0");
        }
        MqttProperties? properties = null;
        List<int>? subscriptionIds = null;
        ushort alias = 0;
        if (v5) properties = PropertyCodec.Read(ref r, (int)PacketType.Publish, out subscriptionIds, out alias);
        if (topic.Length == 0 && alias == 0) throw new MqttProtocolException(ReasonCode.ProtocolError, "PUBLISH with an empty topic and no topic alias");
        if (topic.Length > 0 && topic.AsSpan().IndexOfAny('+', '#') >= 0) throw new MqttProtocolException(ReasonCode.TopicNameInvalid, $"Topic name '{topic}' contains a wildcard");
        var rest = r.ReadRest();
        ReadOnlyMemory<byte> payload = rest.IsEmpty ? ReadOnlyMemory<byte>.Empty : rest.ToArray();
        if (properties?.PayloadFormatIndicator == 1 && !System.Text.Unicode.Utf8.IsValid(rest))
            throw new MqttProtocolException(ReasonCode.PayloadFormatInvalid, "Payload marked as UTF-8 is not well-formed UTF-8");
        var message = new MqttMessage(topic, payload, (QualityOfService)qos, (flags & 0x01) != 0, properties);
        return new PublishPacket(message) { Duplicate = dup, PacketId = id, TopicAlias = alias, SubscriptionIdentifiers = subscriptionIds };
    }

    private string ReadTopic(ref PacketReader r)
    {
        var bytes = r.ReadBinary();
        if (bytes.IsEmpty) return "";
        for (var i = 0; i < CacheSize; i++)
        {
            if (_topicBytes[i] is { } cached && bytes.SequenceEqual(cached)) return _topicStrings[i]!;
        }
        var topic = MqttUtf8.Decode(bytes, "topic name");
        if (bytes.Length <= 256)
        {
            var slot = _nextSlot;
            _nextSlot = (slot + 1) % CacheSize;
            _topicBytes[slot] = bytes.ToArray();
            _topicStrings[slot] = topic;
        }
        return topic;
    }

    private static T ReadResponse<T>(ref PacketReader r, T packet, bool v5) where T : PublishResponsePacket
    {
        packet.PacketId = ReadPacketId(ref r);
        if (v5 && !r.End)
        {
            packet.ReasonCode = (ReasonCode)r.ReadByte();
            if (!r.End) packet.Properties = PropertyCodec.Read(ref r, (int)packet.Type, out _, out _);
        }
        return packet;
    }

    private static ushort ReadPacketId(ref PacketReader r)
    {
        var id = r.ReadUInt16();
        return id != 0 ? id : throw new MqttProtocolException("Packet identifier 0");
    }

    private static SubscribePacket ReadSubscribe(ref PacketReader r, bool v5)
    {
        var packet = new SubscribePacket { PacketId = ReadPacketId(ref r) };
        if (v5) packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.Subscribe, out _, out _);
        if (r.End) throw new MqttProtocolException(ReasonCode.ProtocolError, "SUBSCRIBE without a topic filter");
        while (!r.End)
        {
            var filter = r.ReadString("topic filter");
            var options = r.ReadByte();
            if ((options & (v5 ? 0xC0 : 0xFC)) != 0) throw new MqttProtocolException("SUBSCRIBE options use reserved bits");
            var qos = options & 0x03;
            if (qos == 3) throw new MqttProtocolException("SUBSCRIBE with QoS 3");
            var retainHandling = (options >> 4) & 0x03;
            if (retainHandling == 3) throw new MqttProtocolException("Retain handling 3");
            packet.Subscriptions.Add(new TopicSubscription(filter, (QualityOfService)qos, (options & 0x04) != 0, (options & 0x08) != 0, (RetainHandling)retainHandling));
        }
        return packet;
    }

    private static SubAckPacket ReadSubAck(ref PacketReader r, bool v5)
    {
        var packet = new SubAckPacket { PacketId = ReadPacketId(ref r) };
        if (v5) packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.SubAck, out _, out _);
        if (r.End) throw new MqttProtocolException(ReasonCode.ProtocolError, "SUBACK without a reason code");
        while (!r.End)
        {
            var code = r.ReadByte();
            if (!v5 && code is not (0 or 1 or 2 or 0x80)) throw new MqttProtocolException($"SUBACK return code 0x{code:X2} does not exist in MQTT 3.1.1");
            packet.ReasonCodes.Add((ReasonCode)code);
        }
        return packet;
    }

    private static UnsubscribePacket ReadUnsubscribe(ref PacketReader r, bool v5)
    {
        var packet = new UnsubscribePacket { PacketId = ReadPacketId(ref r) };
        if (v5) packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.Unsubscribe, out _, out _);
        if (r.End) throw new MqttProtocolException(ReasonCode.ProtocolError, "UNSUBSCRIBE without a topic filter");
        while (!r.End) packet.Filters.Add(r.ReadString("topic filter"));
        return packet;
    }

    private static UnsubAckPacket ReadUnsubAck(ref PacketReader r, bool v5)
    {
        var packet = new UnsubAckPacket { PacketId = ReadPacketId(ref r) };
        if (!v5) return packet;
        packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.UnsubAck, out _, out _);
        while (!r.End) packet.ReasonCodes.Add((ReasonCode)r.ReadByte());
        return packet;
    }

    private static DisconnectPacket ReadDisconnect(ref PacketReader r, bool v5)
    {
        var packet = new DisconnectPacket();
        if (v5 && !r.End)
        {
            packet.ReasonCode = (ReasonCode)r.ReadByte();
            if (!r.End) packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.Disconnect, out _, out _);
        }
        return packet;
    }

    private static AuthPacket ReadAuth(ref PacketReader r)
    {
        var packet = new AuthPacket();
        if (!r.End)
        {
            packet.ReasonCode = (ReasonCode)r.ReadByte();
            if (!r.End) packet.Properties = PropertyCodec.Read(ref r, (int)PacketType.Auth, out _, out _);
        }
        return packet;
    }
}
