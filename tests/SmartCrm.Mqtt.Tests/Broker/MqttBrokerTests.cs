using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

public sealed class MqttBrokerTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Wildcard_subscriptions_receive_matching_topics_only(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (sub, inbox) = await broker.ConnectAsync("sub", version);
        await sub.SubscribeAsync("home/+/temperature");
        await sub.SubscribeAsync("office/#");
        var (pub, _) = await broker.ConnectAsync("pub", version);

        foreach (var topic in new[] { "home/kitchen/temperature", "home/kitchen/humidity", "home/a/b/temperature", "office", "office/floor1/room2", "offices/x" })
            await pub.PublishAsync(topic, Text.Bytes(topic), QualityOfService.AtLeastOnce);
        await pub.PublishAsync("end", Text.Bytes("end"), QualityOfService.AtLeastOnce);
        await sub.SubscribeAsync("end");
        await pub.PublishAsync("end", Text.Bytes("end"), QualityOfService.AtLeastOnce);

        var topics = new List<string>();
        while (true)
        {
            var m = await inbox.NextAsync();
            if (m.Message.Topic == "end") break;
            topics.Add(m.Message.Topic);
        }
        topics.ShouldBe(["home/kitchen/temperature", "office", "office/floor1/room2"]);
    }

    [Fact]
    public async Task Hash_at_the_root_does_not_match_dollar_topics()
    {
        await using var broker = await TestBroker.StartAsync();
        var (all, allInbox) = await broker.ConnectAsync("all");
        await all.SubscribeAsync("#");
        await all.SubscribeAsync("+/broker/load");
        var (sys, sysInbox) = await broker.ConnectAsync("sys");
        await sys.SubscribeAsync("$SYS/#");

        broker.Broker.Publish(new MqttMessage("$SYS/broker/load", Text.Bytes("1")));
        broker.Broker.Publish(new MqttMessage("plain/broker/load", Text.Bytes("2")));

        Text.Of(await sysInbox.NextAsync()).ShouldBe("1");
        var first = await allInbox.NextAsync();
        first.Message.Topic.ShouldBe("plain/broker/load");
        (await allInbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Retained_message_reaches_later_subscribers_and_an_empty_one_clears_it(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (pub, _) = await broker.ConnectAsync("pub", version);
        await pub.PublishAsync("status/door", Text.Bytes("open"), QualityOfService.AtLeastOnce, retain: true);
        await pub.PublishAsync("status/door", Text.Bytes("closed"), QualityOfService.AtLeastOnce, retain: true);

        var (late, inbox) = await broker.ConnectAsync("late", version);
        await late.SubscribeAsync("status/#", QualityOfService.AtLeastOnce);
        var m = await inbox.NextAsync();
        Text.Of(m).ShouldBe("closed");
        m.Message.Retain.ShouldBeTrue();

        await pub.PublishAsync("status/door", ReadOnlyMemory<byte>.Empty, QualityOfService.AtLeastOnce, retain: true);
        (await inbox.NextAsync()).Message.Payload.Length.ShouldBe(0);
        var (later, laterInbox) = await broker.ConnectAsync("later", version);
        await later.SubscribeAsync("status/#");
        (await laterInbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Will_is_published_when_the_connection_drops_but_not_after_DISCONNECT(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (watcher, inbox) = await broker.ConnectAsync("watcher", version);
        await watcher.SubscribeAsync("wills/#");
        var (polite, _) = await broker.ConnectAsync("polite", version, o => o.Will = new MqttMessage("wills/polite", Text.Bytes("gone")));
        var (dropped, _) = await broker.ConnectAsync("dropped", version, o =>
        {
            o.Will = new MqttMessage("wills/dropped", Text.Bytes("gone"), QualityOfService.AtLeastOnce);
            o.AutoReconnect = false;
        });

        await polite.DisconnectAsync();
        dropped.DropConnection();

        var m = await inbox.NextAsync();
        m.Message.Topic.ShouldBe("wills/dropped");
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task Will_with_a_delay_is_cancelled_by_a_reconnection_within_the_delay()
    {
        await using var broker = await TestBroker.StartAsync();
        var (watcher, inbox) = await broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync("wills/#");
        var will = new MqttMessage("wills/device", Text.Bytes("gone"), properties: new MqttProperties { WillDelayInterval = 2 });
        var (device, _) = await broker.ConnectAsync("device", configure: o =>
        {
            o.Will = will;
            o.SessionExpiryInterval = 60;
            o.ReconnectDelay = TimeSpan.FromMilliseconds(50);
        });
        var reconnected = new TaskCompletionSource();
        device.Connected = _ => reconnected.TrySetResult();

        device.DropConnection();
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(5));

        (await inbox.AnyWithinAsync(2500)).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task QoS_1_and_2_are_acknowledged_and_delivered_once_at_the_granted_level(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (sub, inbox) = await broker.ConnectAsync("sub", version);
        (await sub.SubscribeAsync("q/two", QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.GrantedQoS2);
        (await sub.SubscribeAsync("q/one", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
        var (pub, _) = await broker.ConnectAsync("pub", version);

        (await pub.PublishAsync("q/two", Text.Bytes("2"), QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.Success);
        (await pub.PublishAsync("q/one", Text.Bytes("1"), QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.Success);

        var two = await inbox.NextAsync();
        two.Message.QualityOfService.ShouldBe(QualityOfService.ExactlyOnce);
        var one = await inbox.NextAsync();
        one.Message.QualityOfService.ShouldBe(QualityOfService.AtLeastOnce);
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Persistent_session_keeps_subscriptions_and_queues_messages_while_offline(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        void Persistent(MqttClientOptions o)
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = 300;
            o.AutoReconnect = false;
        }
        var first = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "keeper", ProtocolVersion = version, CleanStart = false, SessionExpiryInterval = 300 });
        await first.ConnectAsync();
        await first.SubscribeAsync("orders/#", QualityOfService.AtLeastOnce);
        await first.DisconnectAsync();
        await broker.WaitOfflineAsync("keeper");

        var (pub, _) = await broker.ConnectAsync("pub", version);
        for (var i = 0; i < 3; i++) await pub.PublishAsync($"orders/{i}", Text.Bytes($"o{i}"), QualityOfService.AtLeastOnce);
        await pub.PublishAsync("orders/zero", Text.Bytes("qos0"));
        // A QoS 0 PUBLISH is done once written; the acknowledged one after it shows the broker has routed it (one connection's packets are handled in order).
        await pub.PublishAsync("fence", Text.Bytes("f"), QualityOfService.AtLeastOnce);

        var (second, inbox) = await broker.ConnectAsync("keeper", version, Persistent);
        var received = await inbox.TakeAsync(3);
        received.Select(Text.Of).ShouldBe(["o0", "o1", "o2"]);
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Clean_start_discards_the_previous_session()
    {
        await using var broker = await TestBroker.StartAsync();
        var first = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "c", CleanStart = false, SessionExpiryInterval = 300 });
        await first.ConnectAsync();
        await first.SubscribeAsync("x", QualityOfService.AtLeastOnce);
        await first.DisconnectAsync();
        await broker.WaitOfflineAsync("c");
        broker.Broker.SubscriptionCount("c").ShouldBe(1);

        var (second, _) = await broker.ConnectAsync("c", configure: o => o.CleanStart = true);
        broker.Broker.SubscriptionCount("c").ShouldBe(0);
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Session_with_zero_expiry_ends_with_the_connection()
    {
        await using var broker = await TestBroker.StartAsync();
        var (client, _) = await broker.ConnectAsync("short", configure: o => o.CleanStart = false);
        await client.SubscribeAsync("x");
        broker.Broker.SessionCount.ShouldBe(1);
        await client.DisconnectAsync();
        await Eventually.TrueAsync(() => broker.Broker.SessionCount == 0, "session removed");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Shared_subscription_gives_each_message_to_exactly_one_member(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var counts = new int[3];
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            var (member, _) = await broker.ConnectAsync($"worker{i}", version);
            member.MessageReceived = (m, _) =>
            {
                Interlocked.Increment(ref counts[index]);
                seen.AddOrUpdate(Text.Of(m), 1, (_, n) => n + 1);
                return ValueTask.CompletedTask;
            };
            await member.SubscribeAsync("$share/workers/jobs/#", QualityOfService.AtLeastOnce);
        }
        var (pub, _) = await broker.ConnectAsync("pub", version);
        const int total = 300;
        for (var i = 0; i < total; i++) await pub.PublishAsync($"jobs/{i % 7}", Text.Bytes($"job{i}"), QualityOfService.AtLeastOnce);

        await Eventually.TrueAsync(() => counts.Sum() >= total, "all jobs handled");
        await Task.Delay(100);
        counts.Sum().ShouldBe(total);
        seen.Count.ShouldBe(total);
        seen.Values.ShouldAllBe(n => n == 1);
        counts.ShouldAllBe(n => n > 0);
    }

    [Fact]
    public async Task Shared_subscription_does_not_receive_retained_messages()
    {
        await using var broker = await TestBroker.StartAsync();
        broker.Broker.Publish(new MqttMessage("cfg/a", Text.Bytes("r"), retain: true));
        var (member, inbox) = await broker.ConnectAsync("m");
        await member.SubscribeAsync("$share/g/cfg/#");
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
        var (plain, plainInbox) = await broker.ConnectAsync("p");
        await plain.SubscribeAsync("cfg/#");
        Text.Of(await plainInbox.NextAsync()).ShouldBe("r");
    }

    [Fact]
    public async Task Client_topic_aliases_are_resolved_by_the_broker()
    {
        await using var broker = await TestBroker.StartAsync();
        var (sub, inbox) = await broker.ConnectAsync("sub");
        await sub.SubscribeAsync("telemetry/#");
        var (pub, _) = await broker.ConnectAsync("pub", configure: o => o.UseTopicAliases = true);
        for (var i = 0; i < 5; i++) await pub.PublishAsync("telemetry/device-42", Text.Bytes($"v{i}"), QualityOfService.AtLeastOnce);
        var received = await inbox.TakeAsync(5);
        received.ShouldAllBe(m => m.Message.Topic == "telemetry/device-42");
        received.Select(Text.Of).ShouldBe(["v0", "v1", "v2", "v3", "v4"]);
    }

    [Fact]
    public async Task Topic_alias_only_publish_uses_the_topic_set_earlier_and_an_unknown_alias_is_refused()
    {
        await using var broker = await TestBroker.StartAsync(o => o.TopicAliasMaximum = 5);
        var (sub, inbox) = await broker.ConnectAsync("sub");
        await sub.SubscribeAsync("a/#");
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        var ack = await raw.ConnectAsync("raw");
        ack.Properties!.TopicAliasMaximum.ShouldBe((ushort)5);

        await raw.SendAsync(new PublishPacket(new MqttMessage("a/b", Text.Bytes("first"))) { TopicAlias = 3 });
        await raw.SendAsync(new PublishPacket(new MqttMessage("", Text.Bytes("second"))) { TopicAlias = 3 });
        (await inbox.NextAsync()).Message.Topic.ShouldBe("a/b");
        var second = await inbox.NextAsync();
        second.Message.Topic.ShouldBe("a/b");
        Text.Of(second).ShouldBe("second");

        await raw.SendAsync(new PublishPacket(new MqttMessage("a/c", Text.Bytes("x"))) { TopicAlias = 6 });
        var answer = await raw.ReadUntilClosedAsync();
        answer.OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.TopicAliasInvalid);
    }

    [Fact]
    public async Task Oversize_packet_closes_the_connection_with_packet_too_large()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaximumPacketSize = 1024);
        var (sub, inbox) = await broker.ConnectAsync("sub");
        await sub.SubscribeAsync("big");
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        (await raw.ConnectAsync("raw")).Properties!.MaximumPacketSize.ShouldBe(1024u);

        await raw.SendAsync(new PublishPacket(new MqttMessage("big", new byte[2000])));
        var answer = await raw.ReadUntilClosedAsync();
        answer.OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.PacketTooLarge);
        (await inbox.AnyWithinAsync()).ShouldBeFalse();

        // Our client learns the limit from CONNACK and refuses to send what the broker would refuse.
        var (pub, _) = await broker.ConnectAsync("pub");
        await Should.ThrowAsync<ArgumentException>(() => pub.PublishAsync("big", new byte[2000]));
        await pub.PublishAsync("big", new byte[100]);
        (await inbox.NextAsync()).Message.Payload.Length.ShouldBe(100);
    }

    [Fact]
    public async Task Oversize_packet_from_a_311_client_closes_the_connection()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaximumPacketSize = 1024);
        await using var raw = await RawConnection.OpenAsync(broker.Port, MqttProtocolVersion.V311);
        (await raw.ConnectAsync("raw", MqttProtocolVersion.V311)).ReasonCode.ShouldBe(ReasonCode.Success);
        await raw.SendAsync(new PublishPacket(new MqttMessage("big", new byte[5000])), MqttProtocolVersion.V311);
        (await raw.ReadUntilClosedAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Silent_client_is_disconnected_after_one_and_a_half_keep_alives()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        (await raw.ConnectAsync("sleepy", keepAlive: 1)).ReasonCode.ShouldBe(ReasonCode.Success);
        var started = Environment.TickCount64;
        var answer = await raw.ReadUntilClosedAsync(10_000);
        var waited = Environment.TickCount64 - started;
        answer.OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.KeepAliveTimeout);
        waited.ShouldBeGreaterThanOrEqualTo(1400);
    }

    [Fact]
    public async Task Pinging_client_stays_connected_past_its_keep_alive()
    {
        await using var broker = await TestBroker.StartAsync();
        var (client, _) = await broker.ConnectAsync("pinger", configure: o => o.KeepAlive = 1);
        await Task.Delay(2500);
        client.IsConnected.ShouldBeTrue();
        broker.Broker.ConnectedClients.Select(c => c.ClientId).ShouldContain("pinger");
    }

    [Theory]
    [InlineData("MQIsdp", (byte)3, (byte)1)]
    [InlineData("MQTT", (byte)6, (byte)1)]
    [InlineData("MQTX", (byte)4, (byte)1)]
    public async Task Unsupported_protocol_gets_connack_return_code_1_then_close(string name, byte level, byte expectedCode)
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.Port, MqttProtocolVersion.V311);
        var nameBytes = Text.Bytes(name);
        var body = new List<byte> { 0, (byte)nameBytes.Length };
        body.AddRange(nameBytes);
        body.AddRange([level, 0x02, 0, 30, 0, 1, (byte)'x']);
        await raw.SendAsync([0x10, (byte)body.Count, .. body]);
        var answer = await raw.ReadUntilClosedAsync();
        var ack = answer.OfType<ConnAckPacket>().Single();
        PacketEncoder.ToArray(ack, MqttProtocolVersion.V311)[3].ShouldBe(expectedCode);
    }

    [Fact]
    public async Task Wrong_protocol_name_at_level_5_gets_a_5_0_connack_0x84()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        await raw.SendAsync([0x10, 13, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'Y', 5, 0x02, 0, 30, 0, 0, 1, (byte)'x']);
        var answer = await raw.ReadUntilClosedAsync();
        answer.OfType<ConnAckPacket>().Single().ReasonCode.ShouldBe(ReasonCode.UnsupportedProtocolVersion);
    }

    [Fact]
    public async Task First_packet_other_than_connect_closes_the_connection_without_reply()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        await raw.SendAsync([0xC0, 0x00]);
        (await raw.ReadUntilClosedAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Bad_utf8_in_a_topic_closes_the_connection_with_malformed_packet()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        await raw.ConnectAsync("raw");
        // PUBLISH QoS 0, topic of 2 bytes: an encoded surrogate half (ED A0) is not UTF-8.
        await raw.SendAsync([0x30, 0x06, 0x00, 0x02, 0xED, 0xA0, 0x00, (byte)'x']);
        var answer = await raw.ReadUntilClosedAsync();
        answer.OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.MalformedPacket);
    }

    [Fact]
    public async Task Subscription_identifiers_come_back_with_matching_messages()
    {
        await using var broker = await TestBroker.StartAsync();
        var (sub, inbox) = await broker.ConnectAsync("sub");
        await sub.SubscribeAsync([new TopicSubscription("sensors/+/t")], subscriptionId: 7);
        await sub.SubscribeAsync([new TopicSubscription("sensors/#")], subscriptionId: 9);
        broker.Broker.Publish(new MqttMessage("sensors/a/t", Text.Bytes("1")));
        var m = await inbox.NextAsync();
        m.SubscriptionIdentifiers.Order().ShouldBe([7, 9]);
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task No_local_keeps_a_clients_own_messages_from_it()
    {
        await using var broker = await TestBroker.StartAsync();
        var (self, inbox) = await broker.ConnectAsync("self");
        await self.SubscribeAsync([new TopicSubscription("chat", NoLocal: true)]);
        await self.PublishAsync("chat", Text.Bytes("mine"), QualityOfService.AtLeastOnce);
        var (other, _) = await broker.ConnectAsync("other");
        await other.PublishAsync("chat", Text.Bytes("theirs"), QualityOfService.AtLeastOnce);
        Text.Of(await inbox.NextAsync()).ShouldBe("theirs");
    }

    [Fact]
    public async Task Retain_as_published_keeps_the_retain_flag_on_live_messages()
    {
        await using var broker = await TestBroker.StartAsync();
        var (keep, keepInbox) = await broker.ConnectAsync("keep");
        await keep.SubscribeAsync([new TopicSubscription("r", RetainAsPublished: true)]);
        var (clear, clearInbox) = await broker.ConnectAsync("clear");
        await clear.SubscribeAsync([new TopicSubscription("r")]);
        broker.Broker.Publish(new MqttMessage("r", Text.Bytes("x"), retain: true));
        (await keepInbox.NextAsync()).Message.Retain.ShouldBeTrue();
        (await clearInbox.NextAsync()).Message.Retain.ShouldBeFalse();
    }

    [Fact]
    public async Task Retain_handling_decides_when_retained_messages_are_sent()
    {
        await using var broker = await TestBroker.StartAsync();
        broker.Broker.Publish(new MqttMessage("state", Text.Bytes("on"), retain: true));
        var (never, neverInbox) = await broker.ConnectAsync("never");
        await never.SubscribeAsync([new TopicSubscription("state", RetainHandling: RetainHandling.DoNotSend)]);
        (await neverInbox.AnyWithinAsync()).ShouldBeFalse();

        var (once, onceInbox) = await broker.ConnectAsync("once");
        await once.SubscribeAsync([new TopicSubscription("state", RetainHandling: RetainHandling.SendAtSubscribeIfNew)]);
        Text.Of(await onceInbox.NextAsync()).ShouldBe("on");
        await once.SubscribeAsync([new TopicSubscription("state", RetainHandling: RetainHandling.SendAtSubscribeIfNew)]);
        (await onceInbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task Expired_message_is_not_delivered_to_a_session_that_comes_back_later()
    {
        await using var broker = await TestBroker.StartAsync();
        var first = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "late", CleanStart = false, SessionExpiryInterval = 300 });
        await first.ConnectAsync();
        await first.SubscribeAsync("news", QualityOfService.AtLeastOnce);
        await first.DisconnectAsync();
        await broker.WaitOfflineAsync("late");
        broker.Broker.Publish(new MqttMessage("news", Text.Bytes("stale"), QualityOfService.AtLeastOnce, properties: new MqttProperties { MessageExpiryInterval = 1 }));
        broker.Broker.Publish(new MqttMessage("news", Text.Bytes("fresh"), QualityOfService.AtLeastOnce, properties: new MqttProperties { MessageExpiryInterval = 60 }));
        await Task.Delay(1200);
        var (second, inbox) = await broker.ConnectAsync("late", configure: o => o.CleanStart = false);
        var m = await inbox.NextAsync();
        Text.Of(m).ShouldBe("fresh");
        m.Message.Properties!.MessageExpiryInterval!.Value.ShouldBeInRange(55u, 60u);
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_second_connection_with_the_same_client_id_takes_the_session_over()
    {
        await using var broker = await TestBroker.StartAsync();
        var lost = new TaskCompletionSource<Exception?>();
        var (first, _) = await broker.ConnectAsync("same", configure: o => o.AutoReconnect = false);
        first.Disconnected = e => lost.TrySetResult(e);
        var (second, _) = await broker.ConnectAsync("same");
        var error = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        error.ShouldBeOfType<MqttConnectException>().ReasonCode.ShouldBe(ReasonCode.SessionTakenOver);
        second.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task Taking_over_a_session_keeps_it_even_though_the_old_connection_asked_for_it_to_end()
    {
        await using var broker = await TestBroker.StartAsync();
        var (first, _) = await broker.ConnectAsync("phone", configure: o => o.AutoReconnect = false);
        await first.SubscribeAsync("calls", QualityOfService.AtLeastOnce);
        var (second, inbox) = await broker.ConnectAsync("phone", configure: o =>
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = 60;
        });
        await Eventually.TrueAsync(() => !first.IsConnected, "first connection closed");
        await Task.Delay(100);
        broker.Broker.SubscriptionCount("phone").ShouldBe(1);
        broker.Broker.Publish(new MqttMessage("calls", Text.Bytes("ring"), QualityOfService.AtLeastOnce));
        Text.Of(await inbox.NextAsync()).ShouldBe("ring");
    }

    [Fact]
    public async Task Queue_of_an_offline_session_is_bounded()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaximumQueuedMessages = 10);
        var first = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "slow", CleanStart = false, SessionExpiryInterval = 300 });
        await first.ConnectAsync();
        await first.SubscribeAsync("flood", QualityOfService.AtLeastOnce);
        await first.DisconnectAsync();
        await broker.WaitOfflineAsync("slow");
        for (var i = 0; i < 50; i++) broker.Broker.Publish(new MqttMessage("flood", Text.Bytes($"{i}"), QualityOfService.AtLeastOnce));
        var (second, inbox) = await broker.ConnectAsync("slow", configure: o => o.CleanStart = false);
        var got = await inbox.TakeAsync(10);
        got.Select(Text.Of).ShouldBe(Enumerable.Range(0, 10).Select(i => $"{i}"));
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Disposing_while_a_stop_is_under_way_waits_for_it_instead_of_pulling_the_state_from_under_closing_connections()
    {
        // A host stops the broker as a hosted service and then disposes it; the two may overlap.
        await using var broker = await TestBroker.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            var (client, _) = await broker.ConnectAsync($"c{i}", configure: o => o.AutoReconnect = false);
            await client.SubscribeAsync($"t/{i}/#");
        }
        var stop = broker.Broker.StopAsync();
        await broker.Broker.DisposeAsync();
        stop.IsCompleted.ShouldBeTrue();
        await stop;
        broker.Log.Errors.ShouldBeEmpty();
    }
}
