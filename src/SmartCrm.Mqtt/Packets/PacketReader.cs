using System.Buffers.Binary;

namespace SmartCrm.Mqtt.Packets;

/// <summary>Reads the fields of one packet body; every overrun is a malformed packet.</summary>
internal ref struct PacketReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly int Remaining => _body.Length - _position;

    public readonly bool End => _position == _body.Length;

    public byte ReadByte()
    {
        if (_position >= _body.Length) throw Overrun("byte");
        return _body[_position++];
    }

    public ushort ReadUInt16()
    {
        if (Remaining < 2) throw Overrun("two-byte integer");
        var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        if (Remaining < 4) throw Overrun("four-byte integer");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    public int ReadVariableInteger()
    {
        if (!VariableByteInteger.TryRead(_body[_position..], out var value, out var length)) throw Overrun("variable byte integer");
        _position += length;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || Remaining < count) throw Overrun($"{count} bytes");
        var span = _body.Slice(_position, count);
        _position += count;
        return span;
    }

    public ReadOnlySpan<byte> ReadBinary() => ReadBytes(ReadUInt16());

    public string ReadString(string field) => MqttUtf8.Decode(ReadBinary(), field);

    public ReadOnlySpan<byte> ReadRest() => ReadBytes(Remaining);

    private static MqttProtocolException Overrun(string what) => new($"Packet ends before its {what}");
}
