using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

/// <summary>
/// A session belongs to the identity that made it: the same client identifier under another identity is another
/// session, so nobody can take over, read or end a session by guessing its client identifier.
/// </summary>
public sealed class SessionOwnershipTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    /// <summary>A broker whose users are their user names, as <c>smartcrm broker</c> with a users file.</summary>
    private static Task<TestBroker> BrokerOfUsersAsync(Action<MqttBrokerOptions>? configure = null) => TestBroker.StartAsync(o =>
    {
        o.Authenticate = (request, _) => ValueTask.FromResult(request.UserName is { } user ? ConnectionDecision.Accept(user) : ConnectionDecision.Refuse(ReasonCode.NotAuthorized));
        configure?.Invoke(o);
    });

    private static Action<MqttClientOptions> As(string user, bool persistent = false) => o =>
    {
        o.UserName = user;
        o.AutoReconnect = false;
        if (persistent)
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = 300;
        }
    };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Another_identity_with_the_same_client_id_gets_its_own_session_and_the_owner_stays_connected(MqttProtocolVersion version)
    {
        await using var broker = await BrokerOfUsersAsync();
        var lost = new TaskCompletionSource<Exception?>();
        var (alice, aliceInbox) = await broker.ConnectAsync("sensor-1", version, As("alice"));
        alice.Disconnected = e => lost.TrySetResult(e);
        await alice.SubscribeAsync("news", QualityOfService.AtLeastOnce);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (mallory, malloryInbox) = await broker.ConnectAsync("sensor-1", version, As("mallory", persistent: attempt % 2 == 0));
            mallory.IsConnected.ShouldBeTrue();
            broker.Broker.Publish(new MqttMessage("news", Text.Bytes($"n{attempt}"), QualityOfService.AtLeastOnce));
            Text.Of(await aliceInbox.NextAsync()).ShouldBe($"n{attempt}");
            (await malloryInbox.AnyWithinAsync(100)).ShouldBeFalse("the subscription is alice's");
            await mallory.DisposeAsync();
        }
        lost.Task.IsCompleted.ShouldBeFalse();
        alice.IsConnected.ShouldBeTrue();
        broker.Broker.SubscriptionCount("sensor-1").ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Another_identity_cannot_resume_an_offline_session_and_collect_its_messages(MqttProtocolVersion version)
    {
        await using var broker = await BrokerOfUsersAsync();
        var first = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "pump-7", ProtocolVersion = version, UserName = "alice", CleanStart = false, SessionExpiryInterval = 300, AutoReconnect = false });
        await first.ConnectAsync();
        await first.SubscribeAsync("orders/#", QualityOfService.AtLeastOnce);
        await first.DisconnectAsync();
        await broker.WaitOfflineAsync("pump-7");
        broker.Broker.Publish(new MqttMessage("orders/1", Text.Bytes("for alice"), QualityOfService.AtLeastOnce));

        var thief = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "pump-7", ProtocolVersion = version, UserName = "mallory", CleanStart = false, SessionExpiryInterval = 300, AutoReconnect = false });
        var thiefInbox = new Inbox(thief);
        (await thief.ConnectAsync()).SessionPresent.ShouldBeFalse();
        (await thiefInbox.AnyWithinAsync()).ShouldBeFalse();
        await thief.DisposeAsync();

        var (back, inbox) = await broker.ConnectAsync("pump-7", version, As("alice", persistent: true));
        Text.Of(await inbox.NextAsync()).ShouldBe("for alice");
        await first.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task The_same_identity_reconnecting_takes_its_session_over_as_the_specification_says(MqttProtocolVersion version)
    {
        await using var broker = await BrokerOfUsersAsync();
        var lost = new TaskCompletionSource<Exception?>();
        var (first, _) = await broker.ConnectAsync("phone", version, As("alice", persistent: true));
        first.Disconnected = e => lost.TrySetResult(e);
        await first.SubscribeAsync("calls", QualityOfService.AtLeastOnce);
        var (second, inbox) = await broker.ConnectAsync("phone", version, As("alice", persistent: true));
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        broker.Broker.Publish(new MqttMessage("calls", Text.Bytes("ring"), QualityOfService.AtLeastOnce));
        Text.Of(await inbox.NextAsync()).ShouldBe("ring");
    }

    [Fact]
    public async Task The_hosts_session_owner_decides_and_a_connection_of_its_own_shares_with_nobody()
    {
        // Two tokens of one device share its sessions; every provisioning connection is an owner of its own.
        await using var broker = await TestBroker.StartAsync(o => o.Authenticate = (request, _) => ValueTask.FromResult(request.UserName switch
        {
            "token-a" or "token-b" => ConnectionDecision.Accept("device-1") with { SessionOwner = "device:1" },
            _ => ConnectionDecision.Accept("provision") with { SessionOwner = "provision:" + Guid.NewGuid(), MaximumSessionExpiry = 0 },
        }));
        var lost = new TaskCompletionSource<Exception?>();
        var (a, _) = await broker.ConnectAsync("x", configure: As("token-a"));
        a.Disconnected = e => lost.TrySetResult(e);
        var (p1, _) = await broker.ConnectAsync("x", configure: As("provision", persistent: true));
        var (p2, _) = await broker.ConnectAsync("x", configure: As("provision", persistent: true));
        p1.IsConnected.ShouldBeTrue();
        p2.IsConnected.ShouldBeTrue();
        a.IsConnected.ShouldBeTrue();
        var (b, _) = await broker.ConnectAsync("x", configure: As("token-b"));
        (await lost.Task.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeOfType<MqttConnectException>().ReasonCode.ShouldBe(ReasonCode.SessionTakenOver);

        await p1.DisposeAsync();
        await p2.DisposeAsync();
        await Eventually.TrueAsync(() => broker.Broker.SessionCount == 1, "the provisioning sessions ended with their connections");
    }

    [Fact]
    public async Task A_session_expiry_limit_of_the_host_is_told_to_the_client_in_connack()
    {
        await using var broker = await TestBroker.StartAsync(o => o.Authenticate = (_, _) => ValueTask.FromResult(ConnectionDecision.Accept() with { MaximumSessionExpiry = 10 }));
        await using var raw = await RawConnection.OpenAsync(broker.Port);
        var ack = await raw.ConnectAsync("limited", properties: new MqttProperties { SessionExpiryInterval = 3600 });
        ack.Properties!.SessionExpiryInterval.ShouldBe(10u);
    }

    [Fact]
    public async Task No_local_spares_only_the_publishers_own_session()
    {
        await using var broker = await BrokerOfUsersAsync();
        var (alice, inbox) = await broker.ConnectAsync("chat-1", configure: As("alice"));
        await alice.SubscribeAsync([new TopicSubscription("chat", QualityOfService.AtLeastOnce, NoLocal: true)]);
        var (bob, _) = await broker.ConnectAsync("chat-1", configure: As("bob"));
        await alice.PublishAsync("chat", Text.Bytes("mine"), QualityOfService.AtLeastOnce);
        await bob.PublishAsync("chat", Text.Bytes("bob's"), QualityOfService.AtLeastOnce);
        Text.Of(await inbox.NextAsync()).ShouldBe("bob's");
        (await inbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task Publishing_to_a_connected_client_reaches_its_session_only()
    {
        var connected = new List<ConnectedClient>();
        await using var broker = await BrokerOfUsersAsync(o => o.ClientConnected = c =>
        {
            lock (connected) connected.Add(c);
        });
        var (alice, aliceInbox) = await broker.ConnectAsync("dev", configure: As("alice"));
        var (bob, bobInbox) = await broker.ConnectAsync("dev", configure: As("bob"));
        await alice.SubscribeAsync("rpc/+", QualityOfService.AtLeastOnce);
        await bob.SubscribeAsync("rpc/+", QualityOfService.AtLeastOnce);
        var aliceClient = connected.Single(c => c.UserName == "alice");
        aliceClient.SessionOwner.ShouldBe("alice");

        broker.Broker.PublishToClient(aliceClient, new MqttMessage("rpc/1", Text.Bytes("for alice"), QualityOfService.AtLeastOnce)).ShouldBeTrue();
        Text.Of(await aliceInbox.NextAsync()).ShouldBe("for alice");
        (await bobInbox.AnyWithinAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task Without_authentication_the_user_name_as_sent_is_the_identity()
    {
        await using var broker = await TestBroker.StartAsync();
        var lost = new TaskCompletionSource<Exception?>();
        var (named, _) = await broker.ConnectAsync("shared-id", configure: As("carol"));
        named.Disconnected = e => lost.TrySetResult(e);
        var (anonymous, _) = await broker.ConnectAsync("shared-id", configure: o => o.AutoReconnect = false);
        await Task.Delay(200);
        named.IsConnected.ShouldBeTrue();
        var (again, _) = await broker.ConnectAsync("shared-id", configure: o => o.AutoReconnect = false);
        await Eventually.TrueAsync(() => !anonymous.IsConnected, "the anonymous session taken over by the next anonymous client");
        named.IsConnected.ShouldBeTrue();
    }
}
