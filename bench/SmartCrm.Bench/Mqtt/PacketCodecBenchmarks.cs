using System.Buffers;
using BenchmarkDotNet.Attributes;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Bench.Mqtt;

/// <summary>
/// Cost of the broker's per-message codec work: decoding a telemetry PUBLISH from a pipe buffer and encoding one
/// to a subscriber (<c>-- --filter '*PacketCodec*'</c>). Allocations per operation are the point.
/// </summary>
[MemoryDiagnoser]
public class PacketCodecBenchmarks
{
    private readonly PacketDecoder _decoder = new(MqttProtocolVersion.V311);
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private byte[] _publish = [];
    private PublishPacket _packet = null!;
    private readonly PubAckPacket _ack = new() { PacketId = 7 };

    [GlobalSetup]
    public void Setup()
    {
        var message = new MqttMessage("v1/devices/me/telemetry", "{\"temperature\":21.5,\"humidity\":40}"u8.ToArray(), QualityOfService.AtLeastOnce);
        _packet = new PublishPacket(message) { PacketId = 7 };
        _publish = PacketEncoder.ToArray(_packet, MqttProtocolVersion.V311);
    }

    [Benchmark]
    public MqttPacket? DecodePublish()
    {
        var sequence = new ReadOnlySequence<byte>(_publish);
        _decoder.TryDecode(ref sequence, out var packet);
        return packet;
    }

    [Benchmark]
    public int EncodePublish()
    {
        _output.ResetWrittenCount();
        return PacketEncoder.Write(_packet, MqttProtocolVersion.V311, _output);
    }

    [Benchmark]
    public int EncodePubAck()
    {
        _output.ResetWrittenCount();
        return PacketEncoder.Write(_ack, MqttProtocolVersion.V311, _output);
    }
}
