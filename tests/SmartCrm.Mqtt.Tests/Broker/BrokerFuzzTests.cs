using System.IO.Pipelines;
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

    private static byte[] Connect(Random rng, MqttProtocolVersion version, int n) =>
        PacketEncoder.ToArray(new ConnectPacket { ProtocolVersion = version, ClientId = $"fuzz{n % 500}", CleanStart = rng.Next(2) == 0, KeepAlive = 60 }, version);

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
        await using var broker = await TestBroker.StartAsync(o => o.MaximumPacketSize = 64 * 1024);
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
        broker.Log.Errors.ShouldBeEmpty();
    }
}
