using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Client;

public sealed class MqttClientTests
{
    [Fact]
    public async Task Client_reconnects_after_the_broker_restarts_and_subscribes_again()
    {
        var first = await TestBroker.StartAsync();
        var port = first.Port;
        await using var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = "survivor", ReconnectDelay = TimeSpan.FromMilliseconds(50), MaximumReconnectDelay = TimeSpan.FromMilliseconds(400) });
        var inbox = new Inbox(client);
        var connections = 0;
        client.Connected = _ => Interlocked.Increment(ref connections);
        await client.ConnectAsync();
        await client.SubscribeAsync("alerts/#", QualityOfService.AtLeastOnce);
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => !client.IsConnected, "connection lost");

        // While the broker is down a QoS 1 publication waits for the next connection.
        var pending = client.PublishAsync("alerts/self", Text.Bytes("queued"), QualityOfService.AtLeastOnce);
        await Task.Delay(300);
        await using var second = await TestBroker.StartAsync(o => o.Port = port);
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(ReasonCode.Success);
        await Eventually.TrueAsync(() => second.Broker.SubscriptionCount("survivor") == 1, "subscribed again");
        second.Broker.Publish(new MqttMessage("alerts/fire", Text.Bytes("now")));
        var received = new List<string>();
        while (received.Count < 2 && !received.Contains("now")) received.Add(Text.Of(await inbox.NextAsync()));
        received.ShouldContain("now");
        connections.ShouldBe(2);
    }

    [Fact]
    public async Task Two_clients_with_one_identifier_do_not_throw_each_other_out_many_times_a_second()
    {
        await using var broker = await TestBroker.StartAsync();
        var connections = 0;
        MqttClient Twin() => new(new MqttClientOptions { Port = broker.Port, ClientId = "twin", ReconnectDelay = TimeSpan.FromMilliseconds(20), MaximumReconnectDelay = TimeSpan.FromSeconds(3) })
        {
            Connected = _ => Interlocked.Increment(ref connections),
        };
        await using var first = Twin();
        await using var second = Twin();
        await first.ConnectAsync();
        await second.ConnectAsync();
        await Task.Delay(1_500);
        // Two first connections and at most one takeover back within the window; without the wait it was dozens.
        connections.ShouldBeLessThanOrEqualTo(3);
    }

    [Fact]
    public async Task Reconnection_attempts_back_off_exponentially()
    {
        var broker = await TestBroker.StartAsync();
        var port = broker.Port;
        await using var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = "c", ReconnectDelay = TimeSpan.FromMilliseconds(40), MaximumReconnectDelay = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(1) });
        await client.ConnectAsync();
        await broker.DisposeAsync();

        // In the broker's place, a listener that hangs up at once: each reconnection attempt is visible and fails.
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var attempts = new List<long>();
        while (attempts.Count < 5)
        {
            using var socket = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(10));
            attempts.Add(Environment.TickCount64);
            socket.Close();
        }
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        // 40 ms doubling (with ±20% jitter): by the fifth attempt the wait is at least 40 × 2³ × 0.8 = 256 ms, where a
        // fixed delay would have stayed near 40 ms.
        gaps[^1].ShouldBeGreaterThanOrEqualTo(250, $"gaps {string.Join(", ", gaps)} ms");
        client.IsConnected.ShouldBeFalse();
    }

    [Fact]
    public async Task A_refused_first_connection_is_not_retried()
    {
        await using var broker = await TestBroker.StartAsync(o => o.Authenticate = (_, _) => ValueTask.FromResult(ConnectionDecision.Refuse(ReasonCode.NotAuthorized)));
        var attempts = 0;
        broker.Broker.Options.Authenticate = (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            return ValueTask.FromResult(ConnectionDecision.Refuse(ReasonCode.NotAuthorized));
        };
        await using var client = new MqttClient(new MqttClientOptions { Port = broker.Port, ReconnectDelay = TimeSpan.FromMilliseconds(10) });
        await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync());
        await Task.Delay(200);
        attempts.ShouldBe(1);
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_with_a_clear_error()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var client = new MqttClient(new MqttClientOptions { Port = port });
        var error = await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync());
        error.Message.ShouldContain($"127.0.0.1:{port}");
        Should.Throw<ArgumentException>(() => new MqttClient(new MqttClientOptions { Port = 0 }));
    }

    [Fact]
    public async Task Keep_alive_detects_a_broker_that_stops_answering()
    {
        // A fake broker that accepts CONNECT and then never answers PINGREQ.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var pings = 0;
        var fake = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[1024];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 });
            while (await socket.ReceiveAsync(buffer) is var n and > 0)
            {
                if (buffer[0] == 0xC0) Interlocked.Increment(ref pings);
            }
        });
        await using var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = "k", KeepAlive = 1, AutoReconnect = false });
        var lost = new TaskCompletionSource();
        client.Disconnected = _ => lost.TrySetResult();
        await client.ConnectAsync();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        pings.ShouldBeGreaterThanOrEqualTo(1);
        client.IsConnected.ShouldBeFalse();
    }

    [Fact]
    public async Task Disconnect_is_clean_and_final()
    {
        await using var broker = await TestBroker.StartAsync();
        var (client, _) = await broker.ConnectAsync("bye");
        await client.DisconnectAsync();
        await broker.WaitOfflineAsync("bye");
        client.IsConnected.ShouldBeFalse();
        await Should.ThrowAsync<InvalidOperationException>(() => client.PublishAsync("t", Text.Bytes("x")));
        await Should.ThrowAsync<ArgumentException>(async () =>
        {
            await using var other = new MqttClient(new MqttClientOptions { Port = broker.Port });
            await other.ConnectAsync();
            await other.PublishAsync("bad/+", Text.Bytes("x"));
        });
    }

    [Fact]
    public async Task Broker_assigns_a_client_identifier_when_the_client_sends_none()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var client = new MqttClient(new MqttClientOptions { Port = broker.Port });
        var result = await client.ConnectAsync();
        result.Properties!.AssignedClientIdentifier.ShouldNotBeNullOrEmpty();
        client.ClientId.ShouldBe(result.Properties.AssignedClientIdentifier);
        broker.Broker.ConnectedClients.Single().ClientId.ShouldBe(client.ClientId);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Client_and_broker_talk_over_TLS(MqttProtocolVersion version)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        await using var broker = await TestBroker.StartAsync(o =>
        {
            o.Port = null;
            o.TlsPort = 0;
            o.Certificate = certificate;
        });
        var options = new MqttClientOptions
        {
            Port = broker.Port,
            ClientId = "tls",
            ProtocolVersion = version,
            UseTls = true,
            TlsTargetHost = "localhost",
            ValidateServerCertificate = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString(),
        };
        await using var client = new MqttClient(options);
        var inbox = new Inbox(client);
        await client.ConnectAsync();
        await client.SubscribeAsync("secure", QualityOfService.ExactlyOnce);
        await client.PublishAsync("secure", Text.Bytes("sealed"), QualityOfService.ExactlyOnce);
        Text.Of(await inbox.NextAsync()).ShouldBe("sealed");

        await using var plain = await RawConnection.OpenAsync(broker.Port);
        await plain.SendAsync(PacketEncoder.ToArray(new ConnectPacket { ClientId = "plain" }, MqttProtocolVersion.V311));
        (await plain.ReadUntilClosedAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Messages_that_the_handler_refuses_are_delivered_again_after_reconnection()
    {
        await using var broker = await TestBroker.StartAsync();
        var attempts = 0;
        var done = new TaskCompletionSource<ReceivedMessage>();
        await using var client = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "fragile", CleanStart = false, SessionExpiryInterval = 60, ReconnectDelay = TimeSpan.FromMilliseconds(50) });
        client.MessageReceived = (m, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1) throw new IOException("disk full");
            done.TrySetResult(m);
            return ValueTask.CompletedTask;
        };
        await client.ConnectAsync();
        await client.SubscribeAsync("jobs", QualityOfService.AtLeastOnce);
        broker.Broker.Publish(new MqttMessage("jobs", Text.Bytes("j1"), QualityOfService.AtLeastOnce));
        var again = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Text.Of(again).ShouldBe("j1");
        again.Duplicate.ShouldBeTrue();
        attempts.ShouldBe(2);
    }
}
