using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Tests.Packets;

public sealed class VariableByteIntegerTests
{
    // The table of MQTT 1.5.5.
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(127, new byte[] { 0x7F })]
    [InlineData(128, new byte[] { 0x80, 0x01 })]
    [InlineData(16_383, new byte[] { 0xFF, 0x7F })]
    [InlineData(16_384, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(2_097_151, new byte[] { 0xFF, 0xFF, 0x7F })]
    [InlineData(2_097_152, new byte[] { 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(268_435_455, new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    public void Encodes_the_values_of_the_specification_table(int value, byte[] expected)
    {
        var buffer = new byte[4];
        var length = VariableByteInteger.Write(buffer, value);
        buffer[..length].ShouldBe(expected);
        VariableByteInteger.TryRead(expected, out var read, out var readLength).ShouldBeTrue();
        read.ShouldBe(value);
        readLength.ShouldBe(expected.Length);
    }

    [Fact]
    public void Incomplete_input_asks_for_more_and_a_fifth_byte_is_malformed()
    {
        VariableByteInteger.TryRead(new byte[] { 0x80, 0x80 }, out _, out _).ShouldBeFalse();
        Should.Throw<MqttProtocolException>(() => VariableByteInteger.TryRead(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x01 }, out _, out _));
        Should.Throw<ArgumentOutOfRangeException>(() => VariableByteInteger.Size(268_435_456));
    }
}
