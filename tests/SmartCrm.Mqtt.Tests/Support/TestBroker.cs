using System.Net;
using System.Threading.Channels;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Tests.Support;

/// <summary>Our broker on a free loopback port.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private readonly List<MqttClient> _clients = [];

    private TestBroker(MqttBroker broker, ErrorLog log)
    {
        Broker = broker;
        Log = log;
    }

    public MqttBroker Broker { get; }

    public int Port => Broker.Port;

    /// <summary>Errors the broker logged (a test that expects none can say so).</summary>
    public ErrorLog Log { get; }

    public static async Task<TestBroker> StartAsync(Action<MqttBrokerOptions>? configure = null)
    {
        var options = new MqttBrokerOptions { Address = IPAddress.Loopback, Port = 0 };
        configure?.Invoke(options);
        var log = new ErrorLog();
        var broker = new MqttBroker(options, log);
        await broker.StartAsync();
        return new TestBroker(broker, log);
    }

    /// <summary>A connected client of ours; disposed with the broker.</summary>
    public async Task<(MqttClient Client, Inbox Inbox)> ConnectAsync(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500, Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions { Port = Port, ClientId = clientId, ProtocolVersion = version, KeepAlive = 30 };
        configure?.Invoke(options);
        var client = new MqttClient(options);
        var inbox = new Inbox(client);
        await client.ConnectAsync();
        _clients.Add(client);
        return (client, inbox);
    }

    /// <summary>Waits until the broker has seen <paramref name="clientId"/> go (DISCONNECT is handled asynchronously).</summary>
    public Task WaitOfflineAsync(string clientId) =>
        Eventually.TrueAsync(() => Broker.ConnectedClients.All(c => c.ClientId != clientId), $"{clientId} offline");

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

/// <summary>Messages a client received, in order.</summary>
internal sealed class Inbox
{
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();

    public Inbox(MqttClient client) => client.MessageReceived = (m, ct) => _messages.Writer.WriteAsync(m, ct);

    public async Task<ReceivedMessage> NextAsync(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            return await _messages.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message within {timeoutMs} ms");
        }
    }

    public async Task<List<ReceivedMessage>> TakeAsync(int count, int timeoutMs = 10000)
    {
        var list = new List<ReceivedMessage>();
        for (var i = 0; i < count; i++) list.Add(await NextAsync(timeoutMs));
        return list;
    }

    /// <summary>True if a message arrives within <paramref name="waitMs"/> (used to show that one does not).</summary>
    public async Task<bool> AnyWithinAsync(int waitMs = 300)
    {
        using var cts = new CancellationTokenSource(waitMs);
        try
        {
            return await _messages.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int Count => _messages.Reader.Count;

    public bool TryTake(out ReceivedMessage? message) => _messages.Reader.TryRead(out message);
}

internal static class Text
{
    public static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static string Of(ReceivedMessage m) => System.Text.Encoding.UTF8.GetString(m.Message.Payload.Span);

    public static string Of(ReadOnlyMemory<byte> payload) => System.Text.Encoding.UTF8.GetString(payload.Span);
}

/// <summary>Waits for a condition that another thread makes true.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"Not true within {timeoutMs} ms: {what}");
            await Task.Delay(10);
        }
    }
}

internal static class PacketBytes
{
    public static byte[] Of(MqttPacket packet, MqttProtocolVersion version) => PacketEncoder.ToArray(packet, version);
}
