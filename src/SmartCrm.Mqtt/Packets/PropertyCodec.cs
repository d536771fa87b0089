using System.Text;

namespace SmartCrm.Mqtt.Packets;

/// <summary>Reads and writes MQTT 5.0 property blocks, checking which properties each packet may carry.</summary>
internal static class PropertyCodec
{
    /// <summary>Context index for will properties (packet type 0 is reserved, so the slot is free).</summary>
    public const int Will = 0;

    private static readonly ulong[] Allowed = BuildAllowed();

    private static ulong[] BuildAllowed()
    {
        static ulong Mask(params PropertyId[] ids)
        {
            ulong mask = 1UL << (int)PropertyId.UserProperty;
            foreach (var id in ids) mask |= 1UL << (int)id;
            return mask;
        }
        var allowed = new ulong[16];
        allowed[Will] = Mask(PropertyId.PayloadFormatIndicator, PropertyId.MessageExpiryInterval, PropertyId.ContentType, PropertyId.ResponseTopic, PropertyId.CorrelationData, PropertyId.WillDelayInterval);
        allowed[(int)PacketType.Connect] = Mask(PropertyId.SessionExpiryInterval, PropertyId.AuthenticationMethod, PropertyId.AuthenticationData, PropertyId.RequestProblemInformation, PropertyId.RequestResponseInformation, PropertyId.ReceiveMaximum, PropertyId.TopicAliasMaximum, PropertyId.MaximumPacketSize);
        allowed[(int)PacketType.ConnAck] = Mask(PropertyId.SessionExpiryInterval, PropertyId.AssignedClientIdentifier, PropertyId.ServerKeepAlive, PropertyId.AuthenticationMethod, PropertyId.AuthenticationData, PropertyId.ResponseInformation, PropertyId.ServerReference, PropertyId.ReasonString, PropertyId.ReceiveMaximum, PropertyId.TopicAliasMaximum, PropertyId.MaximumQoS, PropertyId.RetainAvailable, PropertyId.MaximumPacketSize, PropertyId.WildcardSubscriptionAvailable, PropertyId.SubscriptionIdentifierAvailable, PropertyId.SharedSubscriptionAvailable);
        allowed[(int)PacketType.Publish] = Mask(PropertyId.PayloadFormatIndicator, PropertyId.MessageExpiryInterval, PropertyId.ContentType, PropertyId.ResponseTopic, PropertyId.CorrelationData, PropertyId.SubscriptionIdentifier, PropertyId.TopicAlias);
        var response = Mask(PropertyId.ReasonString);
        allowed[(int)PacketType.PubAck] = allowed[(int)PacketType.PubRec] = allowed[(int)PacketType.PubRel] = allowed[(int)PacketType.PubComp] = response;
        allowed[(int)PacketType.SubAck] = allowed[(int)PacketType.UnsubAck] = response;
        allowed[(int)PacketType.Subscribe] = Mask(PropertyId.SubscriptionIdentifier);
        allowed[(int)PacketType.Unsubscribe] = Mask();
        allowed[(int)PacketType.Disconnect] = Mask(PropertyId.SessionExpiryInterval, PropertyId.ServerReference, PropertyId.ReasonString);
        allowed[(int)PacketType.Auth] = Mask(PropertyId.AuthenticationMethod, PropertyId.AuthenticationData, PropertyId.ReasonString);
        return allowed;
    }

    /// <summary>
    /// Reads a property block. For PUBLISH, subscription identifiers and the topic alias come out separately;
    /// returns null when the block holds nothing else.
    /// </summary>
    public static MqttProperties? Read(ref PacketReader reader, int context, out List<int>? subscriptionIds, out ushort topicAlias)
    {
        subscriptionIds = null;
        topicAlias = 0;
        var length = reader.ReadVariableInteger();
        if (length == 0) return null;
        var block = new PacketReader(reader.ReadBytes(length));
        MqttProperties? p = null;
        ulong seen = 0;
        var allowed = Allowed[context];
        while (!block.End)
        {
            var raw = block.ReadVariableInteger();
            if (raw > 63 || (allowed & (1UL << raw)) == 0) throw new MqttProtocolException(ReasonCode.ProtocolError, $"Property 0x{raw:X2} is not allowed in {ContextName(context)}");
            var id = (PropertyId)raw;
            var bit = 1UL << raw;
            if ((seen & bit) != 0 && id != PropertyId.UserProperty && !(id == PropertyId.SubscriptionIdentifier && context == (int)PacketType.Publish))
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"Property {id} appears twice in {ContextName(context)}");
            seen |= bit;
            switch (id)
            {
                case PropertyId.SubscriptionIdentifier:
                    var subscriptionId = block.ReadVariableInteger();
                    if (subscriptionId == 0) throw new MqttProtocolException(ReasonCode.ProtocolError, "Subscription identifier 0");
                    if (context == (int)PacketType.Publish) (subscriptionIds ??= []).Add(subscriptionId);
                    else (p ??= new()).SubscriptionIdentifier = subscriptionId;
                    break;
                case PropertyId.TopicAlias:
                    topicAlias = block.ReadUInt16();
                    if (topicAlias == 0) throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, "Topic alias 0");
                    break;
                default:
                    ReadValue(ref block, id, p ??= new());
                    break;
            }
        }
        return p;
    }

    private static void ReadValue(ref PacketReader r, PropertyId id, MqttProperties p)
    {
        switch (id)
        {
            case PropertyId.PayloadFormatIndicator: p.PayloadFormatIndicator = Flag(ref r, id); break;
            case PropertyId.MessageExpiryInterval: p.MessageExpiryInterval = r.ReadUInt32(); break;
            case PropertyId.ContentType: p.ContentType = r.ReadString("content type"); break;
            case PropertyId.ResponseTopic:
                p.ResponseTopic = r.ReadString("response topic");
                if (Topics.ValidateName(p.ResponseTopic) is { } why) throw new MqttProtocolException(ReasonCode.ProtocolError, "Response topic: " + why);
                break;
            case PropertyId.CorrelationData: p.CorrelationData = r.ReadBinary().ToArray(); break;
            case PropertyId.SessionExpiryInterval: p.SessionExpiryInterval = r.ReadUInt32(); break;
            case PropertyId.AssignedClientIdentifier: p.AssignedClientIdentifier = r.ReadString("assigned client identifier"); break;
            case PropertyId.ServerKeepAlive: p.ServerKeepAlive = r.ReadUInt16(); break;
            case PropertyId.AuthenticationMethod: p.AuthenticationMethod = r.ReadString("authentication method"); break;
            case PropertyId.AuthenticationData: p.AuthenticationData = r.ReadBinary().ToArray(); break;
            case PropertyId.RequestProblemInformation: p.RequestProblemInformation = Flag(ref r, id); break;
            case PropertyId.WillDelayInterval: p.WillDelayInterval = r.ReadUInt32(); break;
            case PropertyId.RequestResponseInformation: p.RequestResponseInformation = Flag(ref r, id); break;
            case PropertyId.ResponseInformation: p.ResponseInformation = r.ReadString("response information"); break;
            case PropertyId.ServerReference: p.ServerReference = r.ReadString("server reference"); break;
            case PropertyId.ReasonString: p.ReasonString = r.ReadString("reason string"); break;
            case PropertyId.ReceiveMaximum:
                p.ReceiveMaximum = r.ReadUInt16();
                if (p.ReceiveMaximum == 0) throw new MqttProtocolException(ReasonCode.ProtocolError, "Receive maximum 0");
                break;
            case PropertyId.TopicAliasMaximum: p.TopicAliasMaximum = r.ReadUInt16(); break;
            case PropertyId.MaximumQoS:
                p.MaximumQoS = r.ReadByte();
                if (p.MaximumQoS > 1) throw new MqttProtocolException(ReasonCode.ProtocolError, "Maximum QoS must be 0 or 1");
                break;
            case PropertyId.RetainAvailable: p.RetainAvailable = Flag(ref r, id); break;
            case PropertyId.UserProperty:
                var name = r.ReadString("user property name");
                (p.UserProperties ??= []).Add(new UserProperty(name, r.ReadString("user property value")));
                break;
            case PropertyId.MaximumPacketSize:
                p.MaximumPacketSize = r.ReadUInt32();
                if (p.MaximumPacketSize == 0) throw new MqttProtocolException(ReasonCode.ProtocolError, "Maximum packet size 0");
                break;
            case PropertyId.WildcardSubscriptionAvailable: p.WildcardSubscriptionAvailable = Flag(ref r, id); break;
            case PropertyId.SubscriptionIdentifierAvailable: p.SubscriptionIdentifierAvailable = Flag(ref r, id); break;
            case PropertyId.SharedSubscriptionAvailable: p.SharedSubscriptionAvailable = Flag(ref r, id); break;
            default: throw new MqttProtocolException(ReasonCode.ProtocolError, $"Unknown property 0x{(byte)id:X2}");
        }
    }

    private static byte Flag(ref PacketReader r, PropertyId id)
    {
        var value = r.ReadByte();
        if (value > 1) throw new MqttProtocolException(ReasonCode.ProtocolError, $"{id} must be 0 or 1, was {value}");
        return value;
    }

    private static string ContextName(int context) => context == Will ? "will properties" : ((PacketType)context).ToString().ToUpperInvariant();

    /// <summary>Size of the property block's content (without its length prefix); checks the properties against the packet.</summary>
    public static int Size(MqttProperties? p, int context, ushort topicAlias = 0, List<int>? subscriptionIds = null, uint? expiryOverride = null)
    {
        var size = 0;
        if (topicAlias != 0) size += 3;
        if (subscriptionIds is not null)
        {
            foreach (var id in subscriptionIds)
            {
                if (id is < 1 or > VariableByteInteger.MaxValue) throw new ArgumentException($"Subscription identifier {id} is outside 1..268,435,455", nameof(subscriptionIds));
                size += 1 + VariableByteInteger.Size(id);
            }
        }
        if (expiryOverride is not null && (p?.MessageExpiryInterval is null)) size += 5;
        if (p is null) return size;
        ulong present = 0;
        void Has(PropertyId id, int bytes)
        {
            present |= 1UL << (int)id;
            size += 1 + bytes;
        }
        if (p.PayloadFormatIndicator is not null) Has(PropertyId.PayloadFormatIndicator, 1);
        if (p.MessageExpiryInterval is not null) Has(PropertyId.MessageExpiryInterval, 4);
        if (p.ContentType is not null) Has(PropertyId.ContentType, Str(p.ContentType, "ContentType"));
        if (p.ResponseTopic is not null) Has(PropertyId.ResponseTopic, Str(p.ResponseTopic, "ResponseTopic"));
        if (p.CorrelationData is { } correlation) Has(PropertyId.CorrelationData, Bin(correlation, "CorrelationData"));
        if (p.SubscriptionIdentifier is { } subscription)
        {
            if (subscription is < 1 or > VariableByteInteger.MaxValue) throw new ArgumentException($"Subscription identifier {subscription} is outside 1..268,435,455", nameof(p));
            Has(PropertyId.SubscriptionIdentifier, VariableByteInteger.Size(subscription));
        }
        if (p.SessionExpiryInterval is not null) Has(PropertyId.SessionExpiryInterval, 4);
        if (p.AssignedClientIdentifier is not null) Has(PropertyId.AssignedClientIdentifier, Str(p.AssignedClientIdentifier, "AssignedClientIdentifier"));
        if (p.ServerKeepAlive is not null) Has(PropertyId.ServerKeepAlive, 2);
        if (p.AuthenticationMethod is not null) Has(PropertyId.AuthenticationMethod, Str(p.AuthenticationMethod, "AuthenticationMethod"));
        if (p.AuthenticationData is { } authData) Has(PropertyId.AuthenticationData, Bin(authData, "AuthenticationData"));
        if (p.RequestProblemInformation is not null) Has(PropertyId.RequestProblemInformation, 1);
        if (p.WillDelayInterval is not null) Has(PropertyId.WillDelayInterval, 4);
        if (p.RequestResponseInformation is not null) Has(PropertyId.RequestResponseInformation, 1);
        if (p.ResponseInformation is not null) Has(PropertyId.ResponseInformation, Str(p.ResponseInformation, "ResponseInformation"));
        if (p.ServerReference is not null) Has(PropertyId.ServerReference, Str(p.ServerReference, "ServerReference"));
        if (p.ReasonString is not null) Has(PropertyId.ReasonString, Str(p.ReasonString, "ReasonString"));
        if (p.ReceiveMaximum is not null) Has(PropertyId.ReceiveMaximum, 2);
        if (p.TopicAliasMaximum is not null) Has(PropertyId.TopicAliasMaximum, 2);
        if (p.MaximumQoS is not null) Has(PropertyId.MaximumQoS, 1);
        if (p.RetainAvailable is not null) Has(PropertyId.RetainAvailable, 1);
        if (p.MaximumPacketSize is not null) Has(PropertyId.MaximumPacketSize, 4);
        if (p.WildcardSubscriptionAvailable is not null) Has(PropertyId.WildcardSubscriptionAvailable, 1);
        if (p.SubscriptionIdentifierAvailable is not null) Has(PropertyId.SubscriptionIdentifierAvailable, 1);
        if (p.SharedSubscriptionAvailable is not null) Has(PropertyId.SharedSubscriptionAvailable, 1);
        if (p.UserProperties is { Count: > 0 } users)
        {
            present |= 1UL << (int)PropertyId.UserProperty;
            foreach (var u in users) size += 1 + Str(u.Name, "UserProperty name") + Str(u.Value, "UserProperty value");
        }
        var forbidden = present & ~Allowed[context];
        if (forbidden != 0)
            throw new ArgumentException($"Property {(PropertyId)System.Numerics.BitOperations.TrailingZeroCount(forbidden)} is not allowed in {ContextName(context)}", nameof(p));
        return size;
    }

    private static int Str(string value, string field) => 2 + MqttUtf8.GetByteCount(value, field);

    private static int Bin(ReadOnlyMemory<byte> value, string field) =>
        value.Length <= ushort.MaxValue ? 2 + value.Length : throw new ArgumentException($"{field} is longer than 65,535 bytes", field);

    /// <summary>Writes the property block content (size from <see cref="Size"/>, length prefix written by the caller).</summary>
    public static void Write(ref PacketWriter w, MqttProperties? p, ushort topicAlias = 0, List<int>? subscriptionIds = null, uint? expiryOverride = null)
    {
        if (p is not null)
        {
            if (p.PayloadFormatIndicator is { } pfi) { w.WriteByte((byte)PropertyId.PayloadFormatIndicator); w.WriteByte(pfi); }
            if ((expiryOverride ?? p.MessageExpiryInterval) is { } expiry) { w.WriteByte((byte)PropertyId.MessageExpiryInterval); w.WriteUInt32(expiry); }
            if (p.ContentType is { } ct) { w.WriteByte((byte)PropertyId.ContentType); w.WriteString(ct); }
            if (p.ResponseTopic is { } rt) { w.WriteByte((byte)PropertyId.ResponseTopic); w.WriteString(rt); }
            if (p.CorrelationData is { } cd) { w.WriteByte((byte)PropertyId.CorrelationData); w.WriteBinary(cd.Span); }
            if (p.SubscriptionIdentifier is { } si) { w.WriteByte((byte)PropertyId.SubscriptionIdentifier); w.WriteVariableInteger(si); }
            if (p.SessionExpiryInterval is { } se) { w.WriteByte((byte)PropertyId.SessionExpiryInterval); w.WriteUInt32(se); }
            if (p.AssignedClientIdentifier is { } aci) { w.WriteByte((byte)PropertyId.AssignedClientIdentifier); w.WriteString(aci); }
            if (p.ServerKeepAlive is { } ska) { w.WriteByte((byte)PropertyId.ServerKeepAlive); w.WriteUInt16(ska); }
            if (p.AuthenticationMethod is { } am) { w.WriteByte((byte)PropertyId.AuthenticationMethod); w.WriteString(am); }
            if (p.AuthenticationData is { } ad) { w.WriteByte((byte)PropertyId.AuthenticationData); w.WriteBinary(ad.Span); }
            if (p.RequestProblemInformation is { } rpi) { w.WriteByte((byte)PropertyId.RequestProblemInformation); w.WriteByte(rpi); }
            if (p.WillDelayInterval is { } wdi) { w.WriteByte((byte)PropertyId.WillDelayInterval); w.WriteUInt32(wdi); }
            if (p.RequestResponseInformation is { } rri) { w.WriteByte((byte)PropertyId.RequestResponseInformation); w.WriteByte(rri); }
            if (p.ResponseInformation is { } ri) { w.WriteByte((byte)PropertyId.ResponseInformation); w.WriteString(ri); }
            if (p.ServerReference is { } sr) { w.WriteByte((byte)PropertyId.ServerReference); w.WriteString(sr); }
            if (p.ReasonString is { } rs) { w.WriteByte((byte)PropertyId.ReasonString); w.WriteString(rs); }
            if (p.ReceiveMaximum is { } rm) { w.WriteByte((byte)PropertyId.ReceiveMaximum); w.WriteUInt16(rm); }
            if (p.TopicAliasMaximum is { } tam) { w.WriteByte((byte)PropertyId.TopicAliasMaximum); w.WriteUInt16(tam); }
            if (p.MaximumQoS is { } mq) { w.WriteByte((byte)PropertyId.MaximumQoS); w.WriteByte(mq); }
            if (p.RetainAvailable is { } ra) { w.WriteByte((byte)PropertyId.RetainAvailable); w.WriteByte(ra); }
            if (p.MaximumPacketSize is { } mps) { w.WriteByte((byte)PropertyId.MaximumPacketSize); w.WriteUInt32(mps); }
            if (p.WildcardSubscriptionAvailable is { } wsa) { w.WriteByte((byte)PropertyId.WildcardSubscriptionAvailable); w.WriteByte(wsa); }
            if (p.SubscriptionIdentifierAvailable is { } sia) { w.WriteByte((byte)PropertyId.SubscriptionIdentifierAvailable); w.WriteByte(sia); }
            if (p.SharedSubscriptionAvailable is { } ssa) { w.WriteByte((byte)PropertyId.SharedSubscriptionAvailable); w.WriteByte(ssa); }
            if (p.UserProperties is { } users)
            {
                foreach (var u in users)
                {
                    w.WriteByte((byte)PropertyId.UserProperty);
                    w.WriteString(u.Name);
                    w.WriteString(u.Value);
                }
            }
        }
        else if (expiryOverride is { } expiry)
        {
            w.WriteByte((byte)PropertyId.MessageExpiryInterval);
            w.WriteUInt32(expiry);
        }
        if (topicAlias != 0) { w.WriteByte((byte)PropertyId.TopicAlias); w.WriteUInt16(topicAlias); }
        if (subscriptionIds is not null)
        {
            foreach (var id in subscriptionIds)
            {
                w.WriteByte((byte)PropertyId.SubscriptionIdentifier);
                w.WriteVariableInteger(id);
            }
        }
    }

    /// <summary>A reason string cut so that it fits, for error replies built from exception messages.</summary>
    public static string Clip(string reason) => Encoding.UTF8.GetByteCount(reason) <= 200 ? reason : reason[..Math.Min(reason.Length, 60)];
}
