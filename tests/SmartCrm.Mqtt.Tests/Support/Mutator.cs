using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Tests.Support;

/// <summary>Turns valid packets into plausible garbage: flipped bits, cut ends, inserted and lied-about lengths.</summary>
internal static class Mutator
{
    public static byte[] Mutate(Random rng, byte[] packet)
    {
        var bytes = new List<byte>(packet);
        var rounds = rng.Next(1, 4);
        for (var r = 0; r < rounds && bytes.Count > 0; r++)
        {
            switch (rng.Next(7))
            {
                case 0:
                    var at = rng.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    var cut = rng.Next(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                case 2:
                    bytes.Insert(rng.Next(bytes.Count + 1), (byte)rng.Next(256));
                    break;
                case 3:
                    bytes[rng.Next(bytes.Count)] = (byte)rng.Next(256);
                    break;
                case 4:
                    // Lie about the remaining length.
                    if (bytes.Count > 1) bytes[1] = (byte)rng.Next(256);
                    break;
                case 5:
                    bytes[0] = (byte)((bytes[0] & 0xF0) | rng.Next(16));
                    break;
                default:
                    if (bytes.Count > 2) bytes.RemoveAt(rng.Next(2, bytes.Count));
                    break;
            }
        }
        return [.. bytes];
    }

    public static byte[] RandomMutatedPacket(Random rng, MqttProtocolVersion version) =>
        Mutate(rng, PacketEncoder.ToArray(PacketSamples.Random(rng, version), version));
}
