using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Tests.Support;

/// <summary>Packets of every type, fixed or drawn at random, valid for the version asked.</summary>
internal static class PacketSamples
{
    public static IEnumerable<MqttPacket> All(MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        MqttProperties? P(MqttProperties p) => v5 ? p : null;
        yield return new ConnectPacket
        {
            ProtocolVersion = version,
            ClientId = "device-1",
            CleanStart = false,
            KeepAlive = 45,
            UserName = "token",
            Password = Text.Bytes("secret"),
            Will = new MqttMessage("status/device-1", Text.Bytes("offline"), QualityOfService.AtLeastOnce, retain: true, P(new MqttProperties { WillDelayInterval = 5, ContentType = "text/plain", MessageExpiryInterval = 60 })),
            Properties = P(new MqttProperties { SessionExpiryInterval = 3600, ReceiveMaximum = 20, MaximumPacketSize = 4096, TopicAliasMaximum = 10, RequestProblemInformation = 1 }.AddUserProperty("region", "eu")),
        };
        yield return new ConnAckPacket { SessionPresent = true, ReasonCode = ReasonCode.Success, Properties = P(new MqttProperties { AssignedClientIdentifier = "auto-1", ServerKeepAlive = 30, TopicAliasMaximum = 8, RetainAvailable = 1, MaximumQoS = 1 }) };
        yield return new ConnAckPacket { ReasonCode = ReasonCode.NotAuthorized };
        yield return new PublishPacket(new MqttMessage("v1/devices/me/telemetry", Text.Bytes("{\"t\":21.5}"), QualityOfService.ExactlyOnce, retain: true,
            P(new MqttProperties { PayloadFormatIndicator = 1, MessageExpiryInterval = 30, ContentType = "application/json", ResponseTopic = "reply/here", CorrelationData = new byte[] { 1, 2, 3 } }.AddUserProperty("k", "v"))))
        {
            PacketId = 513,
            Duplicate = true,
            TopicAlias = (ushort)(v5 ? 3 : 0),
            SubscriptionIdentifiers = v5 ? [5, 300] : null,
        };
        yield return new PublishPacket(new MqttMessage("a", ReadOnlyMemory<byte>.Empty));
        yield return new PubAckPacket { PacketId = 1, ReasonCode = v5 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success };
        yield return new PubRecPacket { PacketId = 2, ReasonCode = v5 ? ReasonCode.QuotaExceeded : ReasonCode.Success, Properties = P(new MqttProperties { ReasonString = "too many" }) };
        yield return new PubRelPacket { PacketId = 3 };
        yield return new PubCompPacket { PacketId = 65535, ReasonCode = v5 ? ReasonCode.PacketIdentifierNotFound : ReasonCode.Success };
        yield return new SubscribePacket
        {
            PacketId = 10,
            Subscriptions =
            [
                new TopicSubscription("a/+/c", QualityOfService.AtLeastOnce),
                v5 ? new TopicSubscription("d/#", QualityOfService.ExactlyOnce, NoLocal: true, RetainAsPublished: true, RetainHandling: RetainHandling.DoNotSend) : new TopicSubscription("d/#", QualityOfService.ExactlyOnce),
                new TopicSubscription("$share/g/e", QualityOfService.AtMostOnce),
            ],
            Properties = P(new MqttProperties { SubscriptionIdentifier = 268_435_455 }),
        };
        yield return new SubAckPacket { PacketId = 10, ReasonCodes = [ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS2, v5 ? ReasonCode.NotAuthorized : ReasonCode.UnspecifiedError], Properties = P(new MqttProperties { ReasonString = "partly" }) };
        yield return new UnsubscribePacket { PacketId = 11, Filters = ["a/+/c", "d/#"], Properties = P(new MqttProperties().AddUserProperty("why", "done")) };
        yield return new UnsubAckPacket { PacketId = 11, ReasonCodes = v5 ? [ReasonCode.Success, ReasonCode.NoSubscriptionExisted] : [] };
        yield return PingReqPacket.Instance;
        yield return PingRespPacket.Instance;
        yield return new DisconnectPacket { ReasonCode = v5 ? ReasonCode.ServerMoved : ReasonCode.Success, Properties = P(new MqttProperties { ServerReference = "other:1883", SessionExpiryInterval = 0 }) };
        if (v5) yield return new AuthPacket { ReasonCode = ReasonCode.ContinueAuthentication, Properties = new MqttProperties { AuthenticationMethod = "SCRAM-SHA-1", AuthenticationData = new byte[] { 9, 8, 7 } } };
    }

    private const string Alphabet = "abcXYZ019_-. é中𪛔";

    public static string RandomText(Random rng, int maxLength, bool topicSafe = false)
    {
        var length = rng.Next(1, maxLength + 1);
        var chars = new System.Text.StringBuilder();
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(Alphabet);
        var pieces = new List<string>();
        while (elements.MoveNext()) pieces.Add((string)elements.Current);
        for (var i = 0; i < length; i++)
        {
            chars.Append(pieces[rng.Next(pieces.Count)]);
            if (topicSafe && rng.Next(5) == 0) chars.Append('/');
        }
        return chars.ToString();
    }

    private static MqttProperties? RandomProperties(Random rng, bool v5, params PropertyId[] allowed)
    {
        if (!v5 || rng.Next(3) == 0) return null;
        var p = new MqttProperties();
        var any = false;
        foreach (var id in allowed)
        {
            if (rng.Next(2) == 0) continue;
            any = true;
            switch (id)
            {
                case PropertyId.PayloadFormatIndicator: p.PayloadFormatIndicator = (byte)rng.Next(2); break;
                case PropertyId.MessageExpiryInterval: p.MessageExpiryInterval = (uint)rng.Next(); break;
                case PropertyId.ContentType: p.ContentType = RandomText(rng, 10); break;
                case PropertyId.ResponseTopic: p.ResponseTopic = RandomText(rng, 10, topicSafe: true); break;
                case PropertyId.CorrelationData: p.CorrelationData = RandomBytes(rng, 20); break;
                case PropertyId.SessionExpiryInterval: p.SessionExpiryInterval = (uint)rng.Next(); break;
                case PropertyId.ReasonString: p.ReasonString = RandomText(rng, 20); break;
                case PropertyId.ReceiveMaximum: p.ReceiveMaximum = (ushort)rng.Next(1, 65536); break;
                case PropertyId.TopicAliasMaximum: p.TopicAliasMaximum = (ushort)rng.Next(0, 65536); break;
                case PropertyId.MaximumPacketSize: p.MaximumPacketSize = (uint)rng.Next(1, int.MaxValue); break;
                case PropertyId.WillDelayInterval: p.WillDelayInterval = (uint)rng.Next(); break;
                case PropertyId.SubscriptionIdentifier: p.SubscriptionIdentifier = rng.Next(1, 268_435_456); break;
                case PropertyId.ServerKeepAlive: p.ServerKeepAlive = (ushort)rng.Next(65536); break;
                case PropertyId.AssignedClientIdentifier: p.AssignedClientIdentifier = RandomText(rng, 12); break;
                case PropertyId.AuthenticationMethod: p.AuthenticationMethod = RandomText(rng, 8); break;
                case PropertyId.AuthenticationData: p.AuthenticationData = RandomBytes(rng, 8); break;
                case PropertyId.ServerReference: p.ServerReference = RandomText(rng, 8); break;
                case PropertyId.UserProperty:
                    for (var i = rng.Next(1, 4); i > 0; i--) p.AddUserProperty(RandomText(rng, 6), RandomText(rng, 6));
                    break;
            }
        }
        // An empty block and no block are the same on the wire; the decoder answers null for both.
        return any ? p : null;
    }

    public static byte[] RandomBytes(Random rng, int max)
    {
        var bytes = new byte[rng.Next(0, max + 1)];
        rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Random bytes, or UTF-8 text when the properties say the payload is text (a valid packet must keep that promise).</summary>
    private static byte[] Payload(Random rng, int max, MqttProperties? properties) =>
        properties?.PayloadFormatIndicator == 1 ? Text.Bytes(RandomText(rng, max / 4)) : RandomBytes(rng, max);

    private static ushort Id(Random rng) => (ushort)rng.Next(1, 65536);

    private static ReasonCode Code(Random rng, bool v5) => v5 ? (ReasonCode)(rng.Next(2) == 0 ? 0 : rng.Next(0x80, 0xA3)) : ReasonCode.Success;

    /// <summary>A random valid packet for <paramref name="version"/>.</summary>
    public static MqttPacket Random(Random rng, MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var type = (PacketType)rng.Next(1, v5 ? 16 : 15);
        switch (type)
        {
            case PacketType.Connect:
                var hasUser = rng.Next(2) == 0;
                MqttMessage? will = null;
                if (rng.Next(2) == 0)
                {
                    var willProperties = RandomProperties(rng, v5, PropertyId.WillDelayInterval, PropertyId.PayloadFormatIndicator, PropertyId.MessageExpiryInterval, PropertyId.ContentType, PropertyId.ResponseTopic, PropertyId.CorrelationData, PropertyId.UserProperty);
                    will = new MqttMessage(RandomText(rng, 15, topicSafe: true), Payload(rng, 40, willProperties), (QualityOfService)rng.Next(3), rng.Next(2) == 0, willProperties);
                }
                return new ConnectPacket
                {
                    ProtocolVersion = version,
                    ClientId = rng.Next(4) == 0 ? "" : RandomText(rng, 23),
                    CleanStart = rng.Next(2) == 0,
                    KeepAlive = (ushort)rng.Next(65536),
                    UserName = hasUser ? RandomText(rng, 10) : null,
                    Password = (hasUser || v5) && rng.Next(2) == 0 ? (ReadOnlyMemory<byte>?)RandomBytes(rng, 16) : null,
                    Will = will,
                    Properties = RandomProperties(rng, v5, PropertyId.SessionExpiryInterval, PropertyId.ReceiveMaximum, PropertyId.MaximumPacketSize, PropertyId.TopicAliasMaximum, PropertyId.AuthenticationMethod, PropertyId.AuthenticationData, PropertyId.UserProperty),
                };
            case PacketType.ConnAck:
                return new ConnAckPacket
                {
                    SessionPresent = rng.Next(2) == 0,
                    ReasonCode = v5 ? Code(rng, true) : new[] { ReasonCode.Success, ReasonCode.UnsupportedProtocolVersion, ReasonCode.ClientIdentifierNotValid, ReasonCode.ServerUnavailable, ReasonCode.BadUserNameOrPassword, ReasonCode.NotAuthorized }[rng.Next(6)],
                    Properties = RandomProperties(rng, v5, PropertyId.SessionExpiryInterval, PropertyId.AssignedClientIdentifier, PropertyId.ServerKeepAlive, PropertyId.ReasonString, PropertyId.ReceiveMaximum, PropertyId.TopicAliasMaximum, PropertyId.MaximumPacketSize, PropertyId.ServerReference, PropertyId.UserProperty),
                };
            case PacketType.Publish:
                var qos = (QualityOfService)rng.Next(3);
                var publishProperties = RandomProperties(rng, v5, PropertyId.PayloadFormatIndicator, PropertyId.MessageExpiryInterval, PropertyId.ContentType, PropertyId.ResponseTopic, PropertyId.CorrelationData, PropertyId.UserProperty);
                return new PublishPacket(new MqttMessage(RandomText(rng, 30, topicSafe: true), Payload(rng, 200, publishProperties), qos, rng.Next(2) == 0, publishProperties))
                {
                    PacketId = qos == 0 ? (ushort)0 : Id(rng),
                    Duplicate = qos != 0 && rng.Next(2) == 0,
                    TopicAlias = v5 && rng.Next(3) == 0 ? Id(rng) : (ushort)0,
                    SubscriptionIdentifiers = v5 && rng.Next(3) == 0 ? [rng.Next(1, 268_435_456), rng.Next(1, 200)] : null,
                };
            case PacketType.PubAck:
                return new PubAckPacket { PacketId = Id(rng), ReasonCode = Code(rng, v5), Properties = RandomProperties(rng, v5, PropertyId.ReasonString, PropertyId.UserProperty) };
            case PacketType.PubRec:
                return new PubRecPacket { PacketId = Id(rng), ReasonCode = Code(rng, v5), Properties = RandomProperties(rng, v5, PropertyId.ReasonString, PropertyId.UserProperty) };
            case PacketType.PubRel:
                return new PubRelPacket { PacketId = Id(rng), ReasonCode = Code(rng, v5), Properties = RandomProperties(rng, v5, PropertyId.ReasonString, PropertyId.UserProperty) };
            case PacketType.PubComp:
                return new PubCompPacket { PacketId = Id(rng), ReasonCode = Code(rng, v5), Properties = RandomProperties(rng, v5, PropertyId.ReasonString, PropertyId.UserProperty) };
            case PacketType.Subscribe:
                var subscribe = new SubscribePacket { PacketId = Id(rng), Properties = RandomProperties(rng, v5, PropertyId.SubscriptionIdentifier, PropertyId.UserProperty) };
                for (var i = rng.Next(1, 5); i > 0; i--)
                {
                    subscribe.Subscriptions.Add(v5
                        ? new TopicSubscription(RandomText(rng, 20, topicSafe: true), (QualityOfService)rng.Next(3), rng.Next(2) == 0, rng.Next(2) == 0, (RetainHandling)rng.Next(3))
                        : new TopicSubscription(RandomText(rng, 20, topicSafe: true), (QualityOfService)rng.Next(3)));
                }
                return subscribe;
            case PacketType.SubAck:
                var subAck = new SubAckPacket { PacketId = Id(rng), Properties = RandomProperties(rng, v5, PropertyId.ReasonString, PropertyId.UserProperty) };
                for (var i = rng.Next(1, 5); i > 0; i--) subAck.ReasonCodes.Add(new[] { ReasonCode.Success, ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS2, ReasonCode.UnspecifiedError }[rng.Next(4)]);
                return subAck;
            case PacketType.Unsubscribe:
                var unsubscribe = new UnsubscribePacket { PacketId = Id(rng), Properties = RandomProperties(rng, v5, PropertyId.UserProperty) };
                for (var i = rng.Next(1, 4); i > 0; i--) unsubscribe.Filters.Add(RandomText(rng, 20, topicSafe: true));
                return unsubscribe;
            case PacketType.UnsubAck:
                var unsubAck = new UnsubAckPacket { PacketId = Id(rng), Properties = RandomProperties(rng, v5, PropertyId.ReasonString, PropertyId.UserProperty) };
                if (v5)
                {
                    for (var i = rng.Next(1, 4); i > 0; i--) unsubAck.ReasonCodes.Add(Code(rng, true));
                }
                return unsubAck;
            case PacketType.PingReq:
                return PingReqPacket.Instance;
            case PacketType.PingResp:
                return PingRespPacket.Instance;
            case PacketType.Disconnect:
                return new DisconnectPacket { ReasonCode = Code(rng, v5), Properties = RandomProperties(rng, v5, PropertyId.SessionExpiryInterval, PropertyId.ReasonString, PropertyId.ServerReference, PropertyId.UserProperty) };
            default:
                return new AuthPacket { ReasonCode = rng.Next(2) == 0 ? ReasonCode.Success : ReasonCode.ContinueAuthentication, Properties = RandomProperties(rng, v5, PropertyId.AuthenticationMethod, PropertyId.AuthenticationData, PropertyId.ReasonString, PropertyId.UserProperty) };
        }
    }
}
