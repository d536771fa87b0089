using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Tests.Support;

/// <summary>A bare TCP connection that sends hand-made bytes and decodes what the broker answers.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly PipeReader _reader;
    private readonly PacketDecoder _decoder;

    private RawConnection(TcpClient tcp, MqttProtocolVersion version)
    {
        _tcp = tcp;
        _reader = PipeReader.Create(tcp.GetStream());
        _decoder = new PacketDecoder(version);
    }

    public static async Task<RawConnection> OpenAsync(int port, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawConnection(tcp, version);
    }

    public async Task SendAsync(byte[] bytes) => await _tcp.GetStream().WriteAsync(bytes);

    public Task SendAsync(MqttPacket packet, MqttProtocolVersion version = MqttProtocolVersion.V500) => SendAsync(PacketEncoder.ToArray(packet, version));

    /// <summary>Connects with a clean start and returns the CONNACK.</summary>
    public async Task<ConnAckPacket> ConnectAsync(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500, ushort keepAlive = 30, MqttProperties? properties = null)
    {
        await SendAsync(new ConnectPacket { ProtocolVersion = version, ClientId = clientId, KeepAlive = keepAlive, Properties = properties }, version);
        return (ConnAckPacket)(await ReceiveAsync())!;
    }

    /// <summary>Next packet, or null when the broker closed the connection.</summary>
    public async Task<MqttPacket?> ReceiveAsync(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing from the broker within {timeoutMs} ms");
            }
            catch (IOException)
            {
                return null;
            }
            var buffer = result.Buffer;
            if (_decoder.TryDecode(ref buffer, out var packet))
            {
                _reader.AdvanceTo(buffer.Start);
                return packet;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    /// <summary>Reads until the broker closes the connection; returns the packets seen on the way.</summary>
    public async Task<List<MqttPacket>> ReadUntilClosedAsync(int timeoutMs = 5000)
    {
        var seen = new List<MqttPacket>();
        while (await ReceiveAsync(timeoutMs) is { } packet) seen.Add(packet);
        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        _tcp.Dispose();
    }
}
