using System.IO.Pipelines;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

public sealed class BrokerFuzzTests
{
    private sealed class MemoryTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// A valid CONNECT of one of three users, often with a will (5.0: delays, expiry and user properties) and a short
    /// session expiry, so that the storm also drives session ownership, takeovers and every way a will goes out.
    /// </summary>
    private static byte[] Connect(Random rng, MqttProtocolVersion version, int n)
    {
        var v5 = version == MqttProtocolVersion.V500;
        MqttMessage? will = null;
        if (rng.Next(3) != 0)
        {
            var properties = v5 && rng.Next(4) != 0
                ? new MqttProperties
                {
                    WillDelayInterval = (uint)rng.Next(0, 3),
                    MessageExpiryInterval = rng.Next(2) == 0 ? (uint)rng.Next(1, 100) : null,
                    ContentType = rng.Next(2) == 0 ? "text/plain" : null,
                    ResponseTopic = rng.Next(2) == 0 ? "replies/fuzz" : null,
                    CorrelationData = rng.Next(2) == 0 ? PacketSamples.RandomBytes(rng, 8) : null,
                    PayloadFormatIndicator = 1,
                }.AddUserProperty("n", $"{n}")
                : null;
            will = new MqttMessage($"wills/{n % 50}", Text.Bytes($"w{n}"), (QualityOfService)rng.Next(3), rng.Next(8) == 0, properties);
        }
        return PacketEncoder.ToArray(new ConnectPacket
        {
            ProtocolVersion = version,
            ClientId = $"fuzz{n % 500}",
            CleanStart = rng.Next(2) == 0,
            KeepAlive = 60,
            UserName = $"user{n % 3}",
            Will = will,
            Properties = v5 && rng.Next(2) == 0 ? new MqttProperties { SessionExpiryInterval = (uint)rng.Next(0, 3) } : null,
        }, version);
    }

    /// <summary>Feeds bytes to the broker through in-memory pipes, reads whatever it answers, and waits for it to let go.</summary>
    private static async Task FeedAsync(SmartCrm.Mqtt.Broker.MqttBroker broker, byte[] bytes)
    {
        var toBroker = new Pipe();
        var fromBroker = new Pipe();
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                var result = await fromBroker.Reader.ReadAsync();
                fromBroker.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
            await fromBroker.Reader.CompleteAsync();
        });
        var serve = broker.HandleConnectionAsync(new MemoryTransport(toBroker.Reader, fromBroker.Writer));
        await toBroker.Writer.WriteAsync(bytes);
        await toBroker.Writer.CompleteAsync();
        await serve.WaitAsync(TimeSpan.FromSeconds(10));
        await fromBroker.Writer.CompleteAsync();
        await drain.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Mutated_packet_storm_leaves_the_broker_serving_other_clients()
    {
        await using var broker = await TestBroker.StartAsync(o =>
        {
            o.MaximumPacketSize = 64 * 1024;
            o.MaximumKeepAlive = 120;
            o.ForbiddenTopicFilters = ["secret/#"];
            o.Authenticate = (request, _) => ValueTask.FromResult(ConnectionDecision.Accept(request.UserName));
        });
        // Wills reach subscribers of both versions: a will property a PUBLISH cannot carry would fail here.
        var (watcher5, wills5) = await broker.ConnectAsync("watcher-5", MqttProtocolVersion.V500);
        await watcher5.SubscribeAsync("wills/#", QualityOfService.ExactlyOnce);
        var (watcher311, wills311) = await broker.ConnectAsync("watcher-311", MqttProtocolVersion.V311);
        await watcher311.SubscribeAsync("wills/#", QualityOfService.ExactlyOnce);
        var (healthySub, inbox) = await broker.ConnectAsync("healthy-sub");
        var topic = "healthy/" + Guid.NewGuid().ToString("N");
        await healthySub.SubscribeAsync(topic, QualityOfService.AtLeastOnce);
        var (healthyPub, _) = await broker.ConnectAsync("healthy-pub", MqttProtocolVersion.V311);

        var sent = 0;
        var connections = 0;
        var rng = new Random(7);
        var batches = new List<byte[]>();
        // 100,000 mutated packets, 20 after each valid CONNECT, over in-memory connections.
        while (sent < 100_000)
        {
            var version = rng.Next(2) == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
            var stream = new List<byte>(Connect(rng, version, connections++));
            for (var i = 0; i < 20; i++, sent++) stream.AddRange(Mutator.RandomMutatedPacket(rng, version));
            batches.Add([.. stream]);
        }
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await healthyPub.PublishAsync(topic, Text.Bytes($"m{i}"), QualityOfService.AtLeastOnce);
                await Task.Delay(5);
            }
        });
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (bytes, _) => await FeedAsync(broker.Broker, bytes));

        // And some over real sockets, where a half-sent packet meets a closed connection.
        for (var i = 0; i < 200; i++)
        {
            await using var raw = await RawConnection.OpenAsync(broker.Port);
            await raw.SendAsync(Connect(rng, MqttProtocolVersion.V500, i));
            await raw.SendAsync(Mutator.RandomMutatedPacket(rng, MqttProtocolVersion.V500));
        }
        await publishing;

        var received = await inbox.TakeAsync(50);
        received.Select(Text.Of).Distinct().Count().ShouldBe(50);
        healthySub.IsConnected.ShouldBeTrue();
        healthyPub.IsConnected.ShouldBeTrue();
        (await healthyPub.PublishAsync(topic, Text.Bytes("after"), QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.Success);
        received = [.. received, await inbox.NextAsync()];
        Text.Of(received[^1]).ShouldBe("after");
        connections.ShouldBeGreaterThanOrEqualTo(5000);
        // Delayed wills and short sessions run out within 3 s.
        await Task.Delay(3_500);
        wills5.Count.ShouldBeGreaterThan(100);
        wills311.Count.ShouldBeGreaterThan(100);
        watcher5.IsConnected.ShouldBeTrue();
        watcher311.IsConnected.ShouldBeTrue();
        broker.Log.Errors.ShouldBeEmpty();
    }
}
