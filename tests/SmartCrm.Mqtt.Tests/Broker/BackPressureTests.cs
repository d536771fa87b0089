using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Broker;

public sealed class BackPressureTests
{
    private const int Messages = 20_000;
    private static readonly byte[] Kilobyte = new byte[1024];

    [Fact]
    public async Task Slow_subscriber_slows_the_publisher_instead_of_losing_QoS_0_messages()
    {
        await using var broker = await TestBroker.StartAsync(o => o.OutboundBufferLimit = 64 * 1024);
        var received = 0;
        var (slow, _) = await broker.ConnectAsync("slow");
        slow.MessageReceived = (_, _) =>
        {
            // Pauses now and then, as a consumer busy with a database write does.
            if (Interlocked.Increment(ref received) % 2000 == 0) Thread.Sleep(100);
            return ValueTask.CompletedTask;
        };
        await slow.SubscribeAsync("flood");
        var (pub, _) = await broker.ConnectAsync("pub");
        for (var i = 0; i < Messages; i++) await pub.PublishAsync("flood", Kilobyte);
        await Eventually.TrueAsync(() => Volatile.Read(ref received) == Messages, $"all {Messages} received (got {Volatile.Read(ref received)})", 20_000);
    }

    [Fact]
    public async Task Stuck_subscriber_loses_its_QoS_0_messages_without_holding_up_anyone_else()
    {
        await using var broker = await TestBroker.StartAsync(o => o.OutboundBufferLimit = 64 * 1024);
        var never = new TaskCompletionSource();
        var (stuck, _) = await broker.ConnectAsync("stuck");
        stuck.MessageReceived = async (_, _) => await never.Task;
        await stuck.SubscribeAsync("flood");
        var healthyCount = 0;
        var (healthy, _) = await broker.ConnectAsync("healthy");
        healthy.MessageReceived = (_, _) =>
        {
            Interlocked.Increment(ref healthyCount);
            return ValueTask.CompletedTask;
        };
        await healthy.SubscribeAsync("flood");
        var (pub, _) = await broker.ConnectAsync("pub");
        for (var i = 0; i < Messages; i++) await pub.PublishAsync("flood", Kilobyte);
        await Eventually.TrueAsync(() => Volatile.Read(ref healthyCount) == Messages, $"healthy got all (got {Volatile.Read(ref healthyCount)})", 20_000);
        (await pub.PublishAsync("flood", Kilobyte, QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
        never.SetResult();
    }
}
