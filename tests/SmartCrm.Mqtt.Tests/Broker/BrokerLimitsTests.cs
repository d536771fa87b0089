using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

/// <summary>The limits a fleet operator sets on the broker: keep-alive, receive maximum, topic aliases, forbidden subscriptions.</summary>
public sealed class BrokerLimitsTests
{
    [Theory]
    [InlineData((ushort)60, (ushort)2)]
    [InlineData((ushort)0, (ushort)2)]
    public async Task A_5_0_client_asking_for_more_than_the_maximum_keep_alive_is_told_the_maximum_and_held_to_it(ushort asked, ushort maximum)
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaximumKeepAlive = maximum);
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        var ack = await raw.ConnectAsync("slow", keepAlive: asked);
        ack.Properties!.ServerKeepAlive.ShouldBe(maximum);
        var started = Environment.TickCount64;
        var answer = await raw.ReadUntilClosedAsync(10_000);
        answer.OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.KeepAliveTimeout);
        (Environment.TickCount64 - started).ShouldBeInRange(maximum * 1500 - 100, maximum * 1500 + 2000);
    }

    [Fact]
    public async Task A_5_0_client_within_the_maximum_keep_alive_keeps_its_own()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaximumKeepAlive = 60);
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        (await raw.ConnectAsync("fine", keepAlive: 30)).Properties!.ServerKeepAlive.ShouldBeNull();
    }

    [Theory]
    [InlineData((ushort)61)]
    [InlineData((ushort)0)]
    public async Task A_311_client_asking_for_more_than_the_maximum_keep_alive_is_refused_as_mosquitto_does(ushort asked)
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaximumKeepAlive = 60);
        await using var raw = await RawConnection.OpenAsync(broker.Port, MqttProtocolVersion.V311);
        var ack = await raw.ConnectAsync("old", MqttProtocolVersion.V311, keepAlive: asked);
        ack.ReasonCode.ShouldBe(ReasonCode.ClientIdentifierNotValid);
        PacketEncoder.ToArray(ack, MqttProtocolVersion.V311)[3].ShouldBe((byte)2);
        (await raw.ReadUntilClosedAsync()).ShouldBeEmpty();
        await using var fine = await RawConnection.OpenAsync(broker.Port, MqttProtocolVersion.V311);
        (await fine.ConnectAsync("old", MqttProtocolVersion.V311, keepAlive: 60)).ReasonCode.ShouldBe(ReasonCode.Success);
    }

    [Fact]
    public async Task Our_client_uses_the_server_keep_alive_it_is_given()
    {
        await using var broker = await TestBroker.StartAsync(o => o.ServerKeepAlive = 1);
        var (client, _) = await broker.ConnectAsync("obedient", configure: o =>
        {
            o.KeepAlive = 60;
            o.AutoReconnect = false;
        });
        await Task.Delay(2_500);
        client.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task Receive_maximum_is_announced_and_a_client_that_exceeds_it_is_disconnected_with_0x93()
    {
        await using var broker = await TestBroker.StartAsync(o => o.ReceiveMaximum = 2);
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        (await raw.ConnectAsync("greedy")).Properties!.ReceiveMaximum.ShouldBe((ushort)2);
        for (ushort id = 1; id <= 3; id++) await raw.SendAsync(new PublishPacket(new MqttMessage("q2", Text.Bytes("x"), QualityOfService.ExactlyOnce)) { PacketId = id });
        var answer = await raw.ReadUntilClosedAsync();
        answer.OfType<PubRecPacket>().Count().ShouldBe(2);
        answer.OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.ReceiveMaximumExceeded);
    }

    [Fact]
    public async Task Topic_alias_maximum_of_zero_announces_no_aliases_and_refuses_their_use()
    {
        await using var broker = await TestBroker.StartAsync(o => o.TopicAliasMaximum = 0);
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        var ack = await raw.ConnectAsync("aliaser");
        (ack.Properties!.TopicAliasMaximum ?? 0).ShouldBe((ushort)0);
        await raw.SendAsync(new PublishPacket(new MqttMessage("a/b", Text.Bytes("x"))) { TopicAlias = 1 });
        (await raw.ReadUntilClosedAsync()).OfType<DisconnectPacket>().Single().ReasonCode.ShouldBe(ReasonCode.TopicAliasInvalid);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.UnspecifiedError)]
    public async Task Forbidden_topic_filters_are_refused_in_suback_with_every_filter_that_would_reach_them(MqttProtocolVersion version, ReasonCode refusal)
    {
        await using var broker = await TestBroker.StartAsync(o => o.ForbiddenTopicFilters = ["secret/#", "$SYS/#"]);
        var (client, inbox) = await broker.ConnectAsync("curious", version);
        var filters = new[] { "secret/keys", "secret/#", "#", "+/keys", "$share/g/secret/+", "$SYS/broker/load", "public/#", "public/+", "$share/g/public/x" };
        var codes = await client.SubscribeAsync(filters.Select(f => new TopicSubscription(f, QualityOfService.AtLeastOnce)).ToList());
        codes.ShouldBe([refusal, refusal, refusal, refusal, refusal, refusal, ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS1]);
        broker.Broker.Publish(new MqttMessage("secret/keys", Text.Bytes("k")));
        broker.Broker.Publish(new MqttMessage("public/news", Text.Bytes("n")));
        Text.Of(await inbox.NextAsync()).ShouldBe("n");
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Fact]
    public void Settings_that_cannot_work_stop_the_broker_at_construction_with_the_setting_named()
    {
        Should.Throw<ArgumentException>(() => new MqttBroker(new MqttBrokerOptions { MaximumKeepAlive = 0 })).Message.ShouldContain("MaximumKeepAlive");
        Should.Throw<ArgumentException>(() => new MqttBroker(new MqttBrokerOptions { ForbiddenTopicFilters = ["ok/#", "bad/#/x"] })).Message.ShouldContain("bad/#/x");
        Should.Throw<ArgumentException>(() => new MqttBroker(new MqttBrokerOptions { ReceiveMaximum = 0 })).Message.ShouldContain("ReceiveMaximum");
        Should.Throw<ArgumentException>(() => new MqttBroker(new MqttBrokerOptions { ServerKeepAlive = 90, MaximumKeepAlive = 60 })).Message.ShouldContain("ServerKeepAlive");
    }
}
