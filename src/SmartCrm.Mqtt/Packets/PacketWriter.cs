using System.Buffers.Binary;
using System.Text;

namespace SmartCrm.Mqtt.Packets;

/// <summary>Writes packet fields into a span sized beforehand by the encoder.</summary>
internal ref struct PacketWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Position { get; private set; }

    public void WriteByte(byte value) => _destination[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Position..], value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[Position..], value);
        Position += 4;
    }

    public void WriteVariableInteger(int value) => Position += VariableByteInteger.Write(_destination[Position..], value);

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[Position..]);
        Position += bytes.Length;
    }

    public void WriteBinary(ReadOnlySpan<byte> bytes)
    {
        WriteUInt16((ushort)bytes.Length);
        WriteBytes(bytes);
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetBytes(value, _destination[(Position + 2)..]);
        WriteUInt16((ushort)count);
        Position += count;
    }
}
