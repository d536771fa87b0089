using System.Collections.Concurrent;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

/// <summary>Wills (3.1.2.5 / 3.1.3.2 of MQTT 5.0, 3.1.2.5 of 3.1.1): when they go out, when they do not, and what they carry.</summary>
public sealed class WillTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    /// <summary>Connects a bare client with a will and returns it (the test decides how the connection ends).</summary>
    private static async Task<RawConnection> ConnectWithWillAsync(TestBroker broker, string clientId, MqttMessage will, MqttProtocolVersion version = MqttProtocolVersion.V500,
        ushort keepAlive = 30, uint sessionExpiry = 0, bool cleanStart = true, bool expectSessionPresent = false)
    {
        var raw = await RawConnection.OpenAsync(broker.Port, version);
        var properties = version == MqttProtocolVersion.V500 && sessionExpiry > 0 ? new MqttProperties { SessionExpiryInterval = sessionExpiry } : null;
        await raw.SendAsync(new ConnectPacket { ProtocolVersion = version, ClientId = clientId, KeepAlive = keepAlive, CleanStart = cleanStart, Will = will, Properties = properties }, version);
        var ack = (ConnAckPacket)(await raw.ReceiveAsync())!;
        ack.ReasonCode.ShouldBe(ReasonCode.Success);
        ack.SessionPresent.ShouldBe(expectSessionPresent);
        return raw;
    }

    private static MqttMessage Will(string topic, uint? delay = null, QualityOfService qos = QualityOfService.AtLeastOnce, bool retain = false) =>
        new(topic, Text.Bytes("gone"), qos, retain, delay is null ? null : new MqttProperties { WillDelayInterval = delay });

    private static async Task<(MqttClient Client, Inbox Inbox)> WatchAsync(TestBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V500, string filter = "wills/#")
    {
        var (watcher, inbox) = await broker.ConnectAsync("watcher-" + Guid.NewGuid().ToString("N")[..6], version);
        await watcher.SubscribeAsync(filter, QualityOfService.ExactlyOnce);
        return (watcher, inbox);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Will_of_a_silent_5_0_client_arrives_after_one_and_a_half_keep_alives_with_every_will_property(MqttProtocolVersion subscriberVersion)
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker, subscriberVersion);
        var properties = new MqttProperties
        {
            WillDelayInterval = 0,
            PayloadFormatIndicator = 1,
            MessageExpiryInterval = 600,
            ContentType = "text/plain",
            ResponseTopic = "replies/silent",
            CorrelationData = new byte[] { 1, 2, 3 },
        }.AddUserProperty("site", "north").AddUserProperty("reason", "power");
        await using var silent = await ConnectWithWillAsync(broker, "silent", new MqttMessage("wills/silent", Text.Bytes("gone"), QualityOfService.AtLeastOnce, properties: properties), keepAlive: 2);
        var started = Environment.TickCount64;

        var will = await inbox.NextAsync(10_000);
        var waited = Environment.TickCount64 - started;

        waited.ShouldBeInRange(2_900, 6_000, "1.5 x a keep-alive of 2 s");
        will.Message.Topic.ShouldBe("wills/silent");
        Text.Of(will).ShouldBe("gone");
        if (subscriberVersion == MqttProtocolVersion.V500)
        {
            var p = will.Message.Properties.ShouldNotBeNull();
            p.UserProperties.ShouldBe([new UserProperty("site", "north"), new UserProperty("reason", "power")]);
            p.ContentType.ShouldBe("text/plain");
            p.ResponseTopic.ShouldBe("replies/silent");
            p.CorrelationData!.Value.ToArray().ShouldBe(new byte[] { 1, 2, 3 });
            p.PayloadFormatIndicator.ShouldBe((byte)1);
            p.MessageExpiryInterval!.Value.ShouldBeInRange(590u, 600u);
            p.WillDelayInterval.ShouldBeNull();
        }
        broker.Log.Errors.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Will_is_published_when_the_client_breaks_the_protocol(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        var will = version == MqttProtocolVersion.V500 ? Will("wills/broken", delay: 0) : Will("wills/broken");
        await using var raw = await ConnectWithWillAsync(broker, "broken", will, version);
        await raw.SendAsync([0x00, 0x00]);
        await raw.ReadUntilClosedAsync();
        (await inbox.NextAsync()).Message.Topic.ShouldBe("wills/broken");
        broker.Log.Errors.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Will_is_published_when_the_host_disconnects_the_client(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        await using var raw = await ConnectWithWillAsync(broker, "kicked", Will("wills/kicked"), version);
        broker.Broker.DisconnectClient("kicked").ShouldBeTrue();
        (await inbox.NextAsync()).Message.Topic.ShouldBe("wills/kicked");
    }

    [Fact]
    public async Task Will_delay_holds_the_will_back_until_it_has_passed()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        var raw = await ConnectWithWillAsync(broker, "delayed", Will("wills/delayed", delay: 2), sessionExpiry: 60);
        await raw.DisposeAsync();
        var started = Environment.TickCount64;
        (await inbox.AnyWithinAsync(1_500)).ShouldBeFalse();
        (await inbox.NextAsync(5_000)).Message.Topic.ShouldBe("wills/delayed");
        (Environment.TickCount64 - started).ShouldBeGreaterThanOrEqualTo(1_900);
        broker.Log.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Will_goes_out_when_the_session_expires_before_the_will_delay()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        var raw = await ConnectWithWillAsync(broker, "short-session", Will("wills/short", delay: 30), sessionExpiry: 1);
        await raw.DisposeAsync();
        var started = Environment.TickCount64;
        (await inbox.NextAsync(5_000)).Message.Topic.ShouldBe("wills/short");
        (Environment.TickCount64 - started).ShouldBeInRange(800, 4_000);
        await Eventually.TrueAsync(() => broker.Broker.SessionCount == 1, "only the watcher's session left");
    }

    [Fact]
    public async Task Will_goes_out_at_once_when_the_session_ends_with_the_connection_whatever_the_delay()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        var raw = await ConnectWithWillAsync(broker, "no-session", Will("wills/no-session", delay: 30));
        await raw.DisposeAsync();
        (await inbox.NextAsync(1_500)).Message.Topic.ShouldBe("wills/no-session");
    }

    [Fact]
    public async Task A_reconnection_with_clean_start_within_the_delay_ends_the_session_and_so_sends_the_will()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        var raw = await ConnectWithWillAsync(broker, "restarted", Will("wills/restarted", delay: 30), sessionExpiry: 300);
        await raw.DisposeAsync();
        (await inbox.AnyWithinAsync(300)).ShouldBeFalse();
        await using var again = await RawConnection.OpenAsync(broker.Port);
        (await again.ConnectAsync("restarted")).SessionPresent.ShouldBeFalse();
        (await inbox.NextAsync(2_000)).Message.Topic.ShouldBe("wills/restarted");
    }

    [Theory]
    [InlineData(ReasonCode.Success, false)]
    [InlineData(ReasonCode.DisconnectWithWillMessage, true)]
    [InlineData(ReasonCode.UnspecifiedError, true)]
    [InlineData(ReasonCode.ImplementationSpecificError, true)]
    public async Task Only_a_normal_disconnect_discards_the_will(ReasonCode reason, bool published)
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        await using var raw = await ConnectWithWillAsync(broker, "leaving", Will("wills/leaving", delay: 0));
        await raw.SendAsync(new DisconnectPacket { ReasonCode = reason });
        await raw.ReadUntilClosedAsync();
        if (published) (await inbox.NextAsync()).Message.Topic.ShouldBe("wills/leaving");
        else (await inbox.AnyWithinAsync(500)).ShouldBeFalse();
    }

    [Fact]
    public async Task Disconnect_with_will_message_still_waits_for_the_will_delay()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        await using var raw = await ConnectWithWillAsync(broker, "asked", Will("wills/asked", delay: 1), sessionExpiry: 60);
        await raw.SendAsync(new DisconnectPacket { ReasonCode = ReasonCode.DisconnectWithWillMessage });
        (await inbox.AnyWithinAsync(600)).ShouldBeFalse();
        (await inbox.NextAsync(3_000)).Message.Topic.ShouldBe("wills/asked");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_session_taken_over_sends_the_will_of_the_connection_it_closes(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        await using var first = await ConnectWithWillAsync(broker, "twin", Will("wills/twin", delay: version == MqttProtocolVersion.V500 ? 0u : null), version);
        await using var second = await RawConnection.OpenAsync(broker.Port, version);
        (await second.ConnectAsync("twin", version)).ReasonCode.ShouldBe(ReasonCode.Success);
        (await inbox.NextAsync()).Message.Topic.ShouldBe("wills/twin");
    }

    [Fact]
    public async Task A_session_resumed_by_a_new_connection_within_the_will_delay_never_sends_the_will()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        await using var first = await ConnectWithWillAsync(broker, "resumed", Will("wills/resumed", delay: 1), sessionExpiry: 60);
        await using var second = await ConnectWithWillAsync(broker, "resumed", Will("wills/second", delay: 60), sessionExpiry: 60, cleanStart: false, expectSessionPresent: true);
        (await inbox.AnyWithinAsync(2_000)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_session_taken_over_with_clean_start_ends_and_so_sends_a_delayed_will_at_once()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox) = await WatchAsync(broker);
        await using var first = await ConnectWithWillAsync(broker, "replaced", Will("wills/replaced", delay: 60), sessionExpiry: 300);
        await using var second = await RawConnection.OpenAsync(broker.Port);
        (await second.ConnectAsync("replaced")).SessionPresent.ShouldBeFalse();
        (await inbox.NextAsync(2_000)).Message.Topic.ShouldBe("wills/replaced");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Retained_will_at_QoS_2_reaches_a_later_subscriber_at_QoS_2(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var raw = await ConnectWithWillAsync(broker, "keeper", Will("wills/kept", qos: QualityOfService.ExactlyOnce, retain: true), version);
        await raw.DisposeAsync();
        await Task.Delay(300);
        var (_, inbox) = await WatchAsync(broker, version);
        var will = await inbox.NextAsync();
        will.Message.Topic.ShouldBe("wills/kept");
        will.Message.Retain.ShouldBeTrue();
        will.Message.QualityOfService.ShouldBe(QualityOfService.ExactlyOnce);
    }

    [Fact]
    public async Task Wills_reach_the_message_hook_which_may_keep_them_from_subscribers()
    {
        var seen = new ConcurrentQueue<(string Topic, bool IsWill)>();
        await using var broker = await TestBroker.StartAsync(o => o.MessageReceived = (m, _) =>
        {
            seen.Enqueue((m.Message.Topic, m.IsWill));
            return ValueTask.FromResult(m.Message.Topic.StartsWith("wills/private", StringComparison.Ordinal) ? MessageDisposition.Consume : MessageDisposition.Deliver);
        });
        var (_, inbox) = await WatchAsync(broker);
        var hidden = await ConnectWithWillAsync(broker, "hidden", Will("wills/private", retain: true));
        await hidden.DisposeAsync();
        var shown = await ConnectWithWillAsync(broker, "shown", Will("wills/public"));
        await shown.DisposeAsync();

        (await inbox.NextAsync()).Message.Topic.ShouldBe("wills/public");
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
        // Two connections closing one after the other: the broker notices each end on its own, in either order.
        seen.ShouldBe([("wills/private", true), ("wills/public", true)], ignoreOrder: true);
        var (_, late) = await WatchAsync(broker);
        (await late.AnyWithinAsync()).ShouldBeFalse("a consumed retained will is not kept either");
    }

    [Fact]
    public async Task A_will_marked_as_utf8_with_a_payload_that_is_not_is_refused_at_connect()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        var will = new MqttMessage("wills/bad", new byte[] { 0xC3, 0x28 }, properties: new MqttProperties { PayloadFormatIndicator = 1 });
        await raw.SendAsync(new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "bad-will", KeepAlive = 30, Will = will });
        var answer = await raw.ReadUntilClosedAsync();
        answer.OfType<ConnAckPacket>().Single().ReasonCode.ShouldBe(ReasonCode.PayloadFormatInvalid);
        broker.Broker.SessionCount.ShouldBe(0);
    }

    [Fact]
    public async Task Host_publications_with_properties_a_publish_cannot_carry_are_refused_before_anyone_gets_them()
    {
        await using var broker = await TestBroker.StartAsync();
        var (_, inbox311) = await WatchAsync(broker, MqttProtocolVersion.V311, "host/#");
        var (_, inbox5) = await WatchAsync(broker, MqttProtocolVersion.V500, "host/#");
        Should.Throw<ArgumentException>(() => broker.Broker.Publish(new MqttMessage("host/x", Text.Bytes("x"), properties: new MqttProperties { WillDelayInterval = 5 })))
            .Message.ShouldContain("WillDelayInterval");
        (await inbox311.AnyWithinAsync()).ShouldBeFalse();
        (await inbox5.AnyWithinAsync(50)).ShouldBeFalse();
    }
}
