using System.Collections.Concurrent;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

public sealed class BrokerHooksTests
{
    private sealed record Device(string Name);

    [Theory]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.BadUserNameOrPassword)]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.BadUserNameOrPassword)]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.Banned)]
    public async Task Authentication_hook_refuses_with_its_reason_code(MqttProtocolVersion version, ReasonCode refusal)
    {
        await using var broker = await TestBroker.StartAsync(o => o.Authenticate = (request, _) =>
            ValueTask.FromResult(request.UserName == "good-token" ? ConnectionDecision.Accept(new Device(request.ClientId)) : ConnectionDecision.Refuse(refusal)));
        await using var client = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "d1", ProtocolVersion = version, UserName = "bad-token" });
        var error = await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync());
        // 3.1.1 has no "banned": it becomes return code 5, not authorised.
        error.ReasonCode.ShouldBe(version == MqttProtocolVersion.V311 && refusal == ReasonCode.Banned ? ReasonCode.NotAuthorized : refusal);
        broker.Broker.SessionCount.ShouldBe(0);

        var (good, _) = await broker.ConnectAsync("d2", version, o => o.UserName = "good-token");
        good.IsConnected.ShouldBeTrue();
        ((Device)broker.Broker.ConnectedClients.Single().Identity!).Name.ShouldBe("d2");
    }

    [Fact]
    public async Task Authentication_hook_sees_what_the_client_presented()
    {
        ConnectionRequest? seen = null;
        await using var broker = await TestBroker.StartAsync(o => o.Authenticate = (request, _) =>
        {
            seen = request;
            return ValueTask.FromResult(ConnectionDecision.Accept());
        });
        await broker.ConnectAsync("dev-7", configure: o =>
        {
            o.UserName = "token-7";
            o.Password = "pw";
            o.UserProperties = [new UserProperty("model", "x1")];
        });
        seen!.ClientId.ShouldBe("dev-7");
        seen.UserName.ShouldBe("token-7");
        Text.Of(seen.Password!.Value).ShouldBe("pw");
        seen.ProtocolVersion.ShouldBe(MqttProtocolVersion.V500);
        seen.UserProperties.ShouldBe([new UserProperty("model", "x1")]);
    }

    [Fact]
    public async Task Authorization_hook_refuses_topics_per_client_and_operation()
    {
        await using var broker = await TestBroker.StartAsync(o => o.Authorize = (client, topic, access) =>
            ValueTask.FromResult(access == TopicAccess.Publish ? topic.StartsWith($"dev/{client.ClientId}/", StringComparison.Ordinal) : !topic.StartsWith("secret", StringComparison.Ordinal)));
        var (watcher, inbox) = await broker.ConnectAsync("watcher");
        (await watcher.SubscribeAsync("secret/#")).ShouldBe(ReasonCode.NotAuthorized);
        (await watcher.SubscribeAsync("dev/#", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
        var (device, _) = await broker.ConnectAsync("d1");

        (await device.PublishAsync("dev/d2/telemetry", Text.Bytes("spoof"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await device.PublishAsync("dev/d2/telemetry", Text.Bytes("spoof2"), QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await device.PublishAsync("dev/d1/telemetry", Text.Bytes("mine"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
        Text.Of(await inbox.NextAsync()).ShouldBe("mine");
        (await inbox.AnyWithinAsync()).ShouldBeFalse();

        var (old, _) = await broker.ConnectAsync("old", MqttProtocolVersion.V311);
        (await old.SubscribeAsync("secret/x")).ShouldBe(ReasonCode.UnspecifiedError);
    }

    [Fact]
    public async Task Will_to_a_topic_the_client_may_not_publish_to_is_refused_at_connect()
    {
        await using var broker = await TestBroker.StartAsync(o => o.Authorize = (client, topic, _) => ValueTask.FromResult(topic.StartsWith($"dev/{client.ClientId}/", StringComparison.Ordinal)));
        await using var spoofer = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "d1", Will = new MqttMessage("dev/d2/status", Text.Bytes("offline")) });
        (await Should.ThrowAsync<MqttConnectException>(() => spoofer.ConnectAsync())).ReasonCode.ShouldBe(ReasonCode.NotAuthorized);
        var (honest, _) = await broker.ConnectAsync("d1", configure: o => o.Will = new MqttMessage("dev/d1/status", Text.Bytes("offline")));
        honest.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task QoS_1_is_acknowledged_only_after_the_message_hook_has_finished()
    {
        var release = new TaskCompletionSource();
        var called = new TaskCompletionSource<InboundMessage>();
        await using var broker = await TestBroker.StartAsync(o => o.MessageReceived = async (message, _) =>
        {
            called.TrySetResult(message);
            await release.Task;
            return MessageDisposition.Deliver;
        });
        var (device, _) = await broker.ConnectAsync("d1", configure: o => o.UserName = "u1");
        var publish = device.PublishAsync("v1/devices/me/telemetry", Text.Bytes("{\"t\":1}"), QualityOfService.AtLeastOnce);

        var inbound = await called.Task.WaitAsync(TimeSpan.FromSeconds(5));
        inbound.Client.ClientId.ShouldBe("d1");
        inbound.Client.UserName.ShouldBe("u1");
        inbound.Message.Topic.ShouldBe("v1/devices/me/telemetry");
        await Task.Delay(100);
        publish.IsCompleted.ShouldBeFalse();

        release.SetResult();
        (await publish.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(ReasonCode.Success);
    }

    [Fact]
    public async Task Message_hook_keeps_order_while_several_messages_are_in_the_hosts_hands()
    {
        var arrived = new ConcurrentQueue<string>();
        var gates = new ConcurrentDictionary<string, TaskCompletionSource>();
        await using var broker = await TestBroker.StartAsync(o => o.MessageReceived = async (m, _) =>
        {
            var text = Text.Of(m.Message.Payload);
            arrived.Enqueue(text);
            // Later messages finish first: acknowledgements and forwarding must still follow arrival order.
            await gates.GetOrAdd(text, _ => new TaskCompletionSource()).Task;
            return MessageDisposition.Deliver;
        });
        var (sub, inbox) = await broker.ConnectAsync("sub");
        await sub.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        var (pub, _) = await broker.ConnectAsync("pub");
        var publishes = Enumerable.Range(0, 5).Select(i => pub.PublishAsync("t", Text.Bytes($"m{i}"), QualityOfService.AtLeastOnce)).ToList();
        await Eventually.TrueAsync(() => arrived.Count == 5, "all five reached the hook before any was released");
        for (var i = 4; i >= 0; i--) gates.GetOrAdd($"m{i}", _ => new TaskCompletionSource()).TrySetResult();
        await Task.WhenAll(publishes);
        (await inbox.TakeAsync(5)).Select(Text.Of).ShouldBe(["m0", "m1", "m2", "m3", "m4"]);
    }

    [Fact]
    public async Task Consumed_messages_reach_the_host_but_not_subscribers()
    {
        var hosted = new ConcurrentQueue<string>();
        await using var broker = await TestBroker.StartAsync(o => o.MessageReceived = (m, _) =>
        {
            hosted.Enqueue(m.Message.Topic);
            return ValueTask.FromResult(m.Message.Topic.StartsWith("v1/devices/me/", StringComparison.Ordinal) ? MessageDisposition.Consume : MessageDisposition.Deliver);
        });
        var (other, inbox) = await broker.ConnectAsync("other-device");
        await other.SubscribeAsync("#");
        var (device, _) = await broker.ConnectAsync("device");
        await device.PublishAsync("v1/devices/me/telemetry", Text.Bytes("private"), QualityOfService.AtLeastOnce);
        await device.PublishAsync("public/news", Text.Bytes("public"), QualityOfService.AtLeastOnce);
        Text.Of(await inbox.NextAsync()).ShouldBe("public");
        hosted.ShouldBe(["v1/devices/me/telemetry", "public/news"]);
    }

    [Fact]
    public async Task Failing_hook_gets_a_5_0_publisher_an_error_code_and_a_311_publisher_disconnected()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MessageReceived = (m, _) =>
            Text.Of(m.Message.Payload) == "poison" ? throw new InvalidOperationException("storage down") : ValueTask.FromResult(MessageDisposition.Deliver));
        var (v5, _) = await broker.ConnectAsync("v5");
        (await v5.PublishAsync("t", Text.Bytes("poison"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.UnspecifiedError);
        (await v5.PublishAsync("t", Text.Bytes("fine"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);

        var lost = new TaskCompletionSource();
        var (v311, _) = await broker.ConnectAsync("v311", MqttProtocolVersion.V311, o => o.AutoReconnect = false);
        v311.Disconnected = _ => lost.TrySetResult();
        _ = v311.PublishAsync("t", Text.Bytes("poison"), QualityOfService.AtLeastOnce);
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_refusing_hook_chooses_the_reason_code_a_5_0_publisher_gets()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MessageReceived = (m, _) =>
            Text.Of(m.Message.Payload) == "not json" ? throw new MessageRefusedException(ReasonCode.PayloadFormatInvalid, "not JSON") : ValueTask.FromResult(MessageDisposition.Deliver));
        var (v5, _) = await broker.ConnectAsync("v5");
        (await v5.PublishAsync("t", Text.Bytes("not json"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.PayloadFormatInvalid);
        (await v5.PublishAsync("t", Text.Bytes("not json"), QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.PayloadFormatInvalid);
        (await v5.PublishAsync("t", Text.Bytes("{}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success, "the connection stays usable");
        Should.Throw<ArgumentException>(() => new MessageRefusedException(ReasonCode.Success, "x"));
    }

    [Fact]
    public async Task Publishing_to_one_client_reaches_only_that_client()
    {
        await using var broker = await TestBroker.StartAsync();
        var (d1, inbox1) = await broker.ConnectAsync("d1");
        var (d2, inbox2) = await broker.ConnectAsync("d2");
        await d1.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);
        await d2.SubscribeAsync("v1/devices/me/rpc/request/+", QualityOfService.AtLeastOnce);
        var client1 = broker.Broker.ConnectedClients.Single(c => c.ClientId == "d1");
        var client2 = broker.Broker.ConnectedClients.Single(c => c.ClientId == "d2");
        var (gone, _) = await broker.ConnectAsync("gone");
        var goneClient = broker.Broker.ConnectedClients.Single(c => c.ClientId == "gone");
        await gone.DisconnectAsync();
        await broker.WaitOfflineAsync("gone");

        broker.Broker.PublishToClient(client1, new MqttMessage("v1/devices/me/rpc/request/17", Text.Bytes("{\"method\":\"reboot\"}"), QualityOfService.AtLeastOnce)).ShouldBeTrue();
        broker.Broker.PublishToClient(client2, new MqttMessage("v1/devices/me/attributes", Text.Bytes("{}"))).ShouldBeFalse();
        broker.Broker.PublishToClient(goneClient, new MqttMessage("x", Text.Bytes("{}"))).ShouldBeFalse();

        var m = await inbox1.NextAsync();
        m.Message.Topic.ShouldBe("v1/devices/me/rpc/request/17");
        m.Message.QualityOfService.ShouldBe(QualityOfService.AtLeastOnce);
        (await inbox2.AnyWithinAsync()).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => broker.Broker.PublishToClient(client1, new MqttMessage("bad/#", default)));
    }

    [Fact]
    public async Task Connect_and_disconnect_events_tell_the_host_who_is_online_and_why_they_left()
    {
        var events = new ConcurrentQueue<string>();
        await using var broker = await TestBroker.StartAsync(o =>
        {
            o.ClientConnected = c => events.Enqueue($"+{c.ClientId}");
            o.ClientDisconnected = (c, reason) => events.Enqueue($"-{c.ClientId}:{reason}");
        });
        var (polite, _) = await broker.ConnectAsync("polite");
        var (dropped, _) = await broker.ConnectAsync("dropped", configure: o => o.AutoReconnect = false);
        await polite.DisconnectAsync();
        await Eventually.TrueAsync(() => events.Count == 3, "polite left");
        dropped.DropConnection();
        await Eventually.TrueAsync(() => events.Count == 4, "dropped left");
        events.ShouldBe(["+polite", "+dropped", "-polite:ClientDisconnected", "-dropped:ConnectionLost"]);
    }

    [Fact]
    public async Task Host_can_disconnect_a_client()
    {
        await using var broker = await TestBroker.StartAsync();
        var lost = new TaskCompletionSource<Exception?>();
        var (client, _) = await broker.ConnectAsync("victim", configure: o => o.AutoReconnect = false);
        client.Disconnected = e => lost.TrySetResult(e);
        broker.Broker.DisconnectClient("victim").ShouldBeTrue();
        (await lost.Task.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeOfType<MqttConnectException>().ReasonCode.ShouldBe(ReasonCode.AdministrativeAction);
    }
}
