using System.Buffers;

namespace SmartCrm.Mqtt.Packets;

/// <summary>
/// Encodes MQTT packets. Sizes are computed first so each packet is written once, straight into the destination
/// buffer (a pipe or a pooled buffer). Values MQTT cannot carry raise <see cref="ArgumentException"/>.
/// </summary>
public static class PacketEncoder
{
    /// <summary>Writes <paramref name="packet"/> to <paramref name="output"/> and returns the number of bytes written.</summary>
    public static int Write(MqttPacket packet, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(output);
        if (packet is PublishPacket publish)
        {
            var m = publish.Message;
            return WritePublish(output, version, m, m.QualityOfService, m.Retain, publish.Duplicate, publish.PacketId, m.Topic, publish.TopicAlias, publish.SubscriptionIdentifiers, null, int.MaxValue);
        }
        var remaining = RemainingLength(packet, version);
        var total = 1 + VariableByteInteger.Size(remaining) + remaining;
        var w = new PacketWriter(output.GetSpan(total));
        WriteFixedHeader(ref w, packet, remaining);
        WriteBody(ref w, packet, version);
        output.Advance(total);
        return total;
    }

    /// <summary>Encodes <paramref name="packet"/> into a new array.</summary>
    public static byte[] ToArray(MqttPacket packet, MqttProtocolVersion version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(packet, version, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes a PUBLISH of <paramref name="message"/> with per-delivery fields, without building a packet object.
    /// Returns the bytes written, or 0 without writing when the packet would exceed <paramref name="maximumPacketSize"/>.
    /// <paramref name="topic"/> is empty when an established topic alias stands for it.
    /// </summary>
    internal static int WritePublish(IBufferWriter<byte> output, MqttProtocolVersion version, MqttMessage message, QualityOfService qos, bool retain, bool duplicate,
        ushort packetId, string topic, ushort topicAlias, List<int>? subscriptionIds, uint? expiryOverride, int maximumPacketSize)
    {
        if (qos != QualityOfService.AtMostOnce && packetId == 0) throw new ArgumentException("A QoS 1 or 2 PUBLISH needs a packet identifier", nameof(packetId));
        if (qos > QualityOfService.ExactlyOnce) throw new ArgumentException($"QoS {(int)qos} does not exist", nameof(qos));
        if (topic.Length == 0 && topicAlias == 0) throw new ArgumentException("A PUBLISH needs a topic or a topic alias", nameof(topic));
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) throw new ArgumentException($"Topic name '{topic}' contains a wildcard", nameof(topic));
        var topicBytes = MqttUtf8.GetByteCount(topic, "topic");
        var remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + message.Payload.Length;
        var propertiesSize = 0;
        if (version == MqttProtocolVersion.V500)
        {
            propertiesSize = PropertyCodec.Size(message.Properties, (int)PacketType.Publish, topicAlias, subscriptionIds, expiryOverride);
            remaining += VariableByteInteger.Size(propertiesSize) + propertiesSize;
        }
        if (remaining > VariableByteInteger.MaxValue) throw new ArgumentException($"PUBLISH of {remaining} bytes exceeds what MQTT can carry", nameof(message));
        var total = 1 + VariableByteInteger.Size(remaining) + remaining;
        if (total > maximumPacketSize) return 0;
        var w = new PacketWriter(output.GetSpan(total));
        w.WriteByte((byte)(((int)PacketType.Publish << 4) | (duplicate ? 0x08 : 0) | ((int)qos << 1) | (retain ? 1 : 0)));
        w.WriteVariableInteger(remaining);
        w.WriteString(topic);
        if (qos > 0) w.WriteUInt16(packetId);
        if (version == MqttProtocolVersion.V500)
        {
            w.WriteVariableInteger(propertiesSize);
            PropertyCodec.Write(ref w, message.Properties, topicAlias, subscriptionIds, expiryOverride);
        }
        w.WriteBytes(message.Payload.Span);
        output.Advance(total);
        return total;
    }

    /// <summary>Writes a PUBACK/PUBREC/PUBREL/PUBCOMP with no properties (the hot path of QoS 1 and 2).</summary>
    internal static void WriteResponse(IBufferWriter<byte> output, MqttProtocolVersion version, PacketType type, ushort packetId, ReasonCode reasonCode)
    {
        var withCode = version == MqttProtocolVersion.V500 && reasonCode != ReasonCode.Success;
        var span = output.GetSpan(5);
        span[0] = (byte)(((int)type << 4) | (type == PacketType.PubRel ? 2 : 0));
        span[1] = (byte)(withCode ? 3 : 2);
        span[2] = (byte)(packetId >> 8);
        span[3] = (byte)packetId;
        if (withCode) span[4] = (byte)reasonCode;
        output.Advance(withCode ? 5 : 4);
    }

    private static void WriteFixedHeader(ref PacketWriter w, MqttPacket packet, int remaining)
    {
        var flags = packet.Type is PacketType.PubRel or PacketType.Subscribe or PacketType.Unsubscribe ? 2 : 0;
        w.WriteByte((byte)(((int)packet.Type << 4) | flags));
        w.WriteVariableInteger(remaining);
    }

    private static int PropertyBlock(MqttProperties? p, int context)
    {
        var size = PropertyCodec.Size(p, context);
        return VariableByteInteger.Size(size) + size;
    }

    private static int Str(string value, string field) => 2 + MqttUtf8.GetByteCount(value, field);

    private static int Bin(ReadOnlyMemory<byte> value, string field) =>
        value.Length <= ushort.MaxValue ? 2 + value.Length : throw new ArgumentException($"{field} is longer than 65,535 bytes", field);

    private static int RemainingLength(MqttPacket packet, MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        switch (packet)
        {
            case ConnectPacket c:
            {
                var v5c = c.ProtocolVersion == MqttProtocolVersion.V500;
                var size = 6 + 1 + 1 + 2 + Str(c.ClientId, "ClientId");
                if (v5c) size += PropertyBlock(c.Properties, (int)PacketType.Connect);
                if (c.Will is { } will)
                {
                    if (Topics.ValidateName(will.Topic) is { } why) throw new ArgumentException("Will topic: " + why, nameof(packet));
                    size += Str(will.Topic, "Will topic") + Bin(will.Payload, "Will payload");
                    if (v5c) size += PropertyBlock(will.Properties, PropertyCodec.Will);
                }
                if (c.UserName is not null) size += Str(c.UserName, "UserName");
                if (c.Password is { } password) size += Bin(password, "Password");
                if (!v5c && c.Password is not null && c.UserName is null) throw new ArgumentException("MQTT 3.1.1 does not allow a password without a user name", nameof(packet));
                return size;
            }
            case ConnAckPacket a:
                return 2 + (v5 ? PropertyBlock(a.Properties, (int)PacketType.ConnAck) : 0);
            case PublishResponsePacket r:
                RequireId(r.PacketId);
                if (!v5) return 2;
                if (r.Properties is null) return r.ReasonCode == ReasonCode.Success ? 2 : 3;
                return 3 + PropertyBlock(r.Properties, (int)r.Type);
            case SubscribePacket s:
            {
                RequireId(s.PacketId);
                if (s.Subscriptions.Count == 0) throw new ArgumentException("SUBSCRIBE needs at least one topic filter", nameof(packet));
                var size = 2 + (v5 ? PropertyBlock(s.Properties, (int)PacketType.Subscribe) : 0);
                foreach (var t in s.Subscriptions) size += Str(t.Filter, "topic filter") + 1;
                return size;
            }
            case SubAckPacket s:
                RequireId(s.PacketId);
                if (s.ReasonCodes.Count == 0) throw new ArgumentException("SUBACK needs at least one reason code", nameof(packet));
                return 2 + (v5 ? PropertyBlock(s.Properties, (int)PacketType.SubAck) : 0) + s.ReasonCodes.Count;
            case UnsubscribePacket u:
            {
                RequireId(u.PacketId);
                if (u.Filters.Count == 0) throw new ArgumentException("UNSUBSCRIBE needs at least one topic filter", nameof(packet));
                var size = 2 + (v5 ? PropertyBlock(u.Properties, (int)PacketType.Unsubscribe) : 0);
                foreach (var f in u.Filters) size += Str(f, "topic filter");
                return size;
            }
            case UnsubAckPacket u:
                RequireId(u.PacketId);
                return 2 + (v5 ? PropertyBlock(u.Properties, (int)PacketType.UnsubAck) + u.ReasonCodes.Count : 0);
            case PingReqPacket or PingRespPacket:
                return 0;
            case DisconnectPacket d:
                if (!v5) return 0;
                if (d.Properties is null) return d.ReasonCode == ReasonCode.Success ? 0 : 1;
                return 1 + PropertyBlock(d.Properties, (int)PacketType.Disconnect);
            case AuthPacket auth:
                if (!v5) throw new ArgumentException("AUTH does not exist in MQTT 3.1.1", nameof(packet));
                if (auth.Properties is null) return auth.ReasonCode == ReasonCode.Success ? 0 : 1;
                return 1 + PropertyBlock(auth.Properties, (int)PacketType.Auth);
            default:
                throw new ArgumentException($"Unknown packet {packet.GetType().Name}", nameof(packet));
        }
    }

    private static void RequireId(ushort id)
    {
        if (id == 0) throw new ArgumentException("Packet identifier 0 is not allowed", nameof(id));
    }

    private static void WriteProperties(ref PacketWriter w, MqttProperties? p, int context)
    {
        w.WriteVariableInteger(PropertyCodec.Size(p, context));
        PropertyCodec.Write(ref w, p);
    }

    private static void WriteBody(ref PacketWriter w, MqttPacket packet, MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        switch (packet)
        {
            case ConnectPacket c:
            {
                var v5c = c.ProtocolVersion == MqttProtocolVersion.V500;
                w.WriteString("MQTT");
                w.WriteByte((byte)c.ProtocolVersion);
                var flags = (c.CleanStart ? 0x02 : 0) | (c.UserName is not null ? 0x80 : 0) | (c.Password is not null ? 0x40 : 0);
                if (c.Will is { } will) flags |= 0x04 | ((int)will.QualityOfService << 3) | (will.Retain ? 0x20 : 0);
                w.WriteByte((byte)flags);
                w.WriteUInt16(c.KeepAlive);
                if (v5c) WriteProperties(ref w, c.Properties, (int)PacketType.Connect);
                w.WriteString(c.ClientId);
                if (c.Will is { } willMessage)
                {
                    if (v5c) WriteProperties(ref w, willMessage.Properties, PropertyCodec.Will);
                    w.WriteString(willMessage.Topic);
                    w.WriteBinary(willMessage.Payload.Span);
                }
                if (c.UserName is not null) w.WriteString(c.UserName);
                if (c.Password is { } password) w.WriteBinary(password.Span);
                break;
            }
            case ConnAckPacket a:
                w.WriteByte((byte)(a.SessionPresent ? 1 : 0));
                w.WriteByte(v5 ? (byte)a.ReasonCode : ToV311ConnAck(a.ReasonCode));
                if (v5) WriteProperties(ref w, a.Properties, (int)PacketType.ConnAck);
                break;
            case PublishResponsePacket r:
                w.WriteUInt16(r.PacketId);
                if (v5 && (r.Properties is not null || r.ReasonCode != ReasonCode.Success))
                {
                    w.WriteByte((byte)r.ReasonCode);
                    if (r.Properties is not null) WriteProperties(ref w, r.Properties, (int)r.Type);
                }
                break;
            case SubscribePacket s:
                w.WriteUInt16(s.PacketId);
                if (v5) WriteProperties(ref w, s.Properties, (int)PacketType.Subscribe);
                foreach (var t in s.Subscriptions)
                {
                    w.WriteString(t.Filter);
                    var options = (int)t.QualityOfService;
                    if (v5) options |= (t.NoLocal ? 0x04 : 0) | (t.RetainAsPublished ? 0x08 : 0) | ((int)t.RetainHandling << 4);
                    w.WriteByte((byte)options);
                }
                break;
            case SubAckPacket s:
                w.WriteUInt16(s.PacketId);
                if (v5) WriteProperties(ref w, s.Properties, (int)PacketType.SubAck);
                foreach (var code in s.ReasonCodes) w.WriteByte(v5 || code <= ReasonCode.GrantedQoS2 ? (byte)code : (byte)0x80);
                break;
            case UnsubscribePacket u:
                w.WriteUInt16(u.PacketId);
                if (v5) WriteProperties(ref w, u.Properties, (int)PacketType.Unsubscribe);
                foreach (var f in u.Filters) w.WriteString(f);
                break;
            case UnsubAckPacket u:
                w.WriteUInt16(u.PacketId);
                if (v5)
                {
                    WriteProperties(ref w, u.Properties, (int)PacketType.UnsubAck);
                    foreach (var code in u.ReasonCodes) w.WriteByte((byte)code);
                }
                break;
            case DisconnectPacket d:
                if (v5 && (d.Properties is not null || d.ReasonCode != ReasonCode.Success))
                {
                    w.WriteByte((byte)d.ReasonCode);
                    if (d.Properties is not null) WriteProperties(ref w, d.Properties, (int)PacketType.Disconnect);
                }
                break;
            case AuthPacket auth:
                if (auth.Properties is not null || auth.ReasonCode != ReasonCode.Success)
                {
                    w.WriteByte((byte)auth.ReasonCode);
                    if (auth.Properties is not null) WriteProperties(ref w, auth.Properties, (int)PacketType.Auth);
                }
                break;
        }
    }

    /// <summary>The 3.1.1 CONNACK return code for a 5.0 reason code.</summary>
    internal static byte ToV311ConnAck(ReasonCode code) => code switch
    {
        ReasonCode.Success => 0,
        ReasonCode.UnsupportedProtocolVersion => 1,
        ReasonCode.ClientIdentifierNotValid => 2,
        ReasonCode.BadUserNameOrPassword => 4,
        ReasonCode.NotAuthorized or ReasonCode.Banned => 5,
        _ => 3,
    };
}
