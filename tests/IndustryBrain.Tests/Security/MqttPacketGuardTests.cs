using IndustryBrain.Silo.Mqtt;

namespace IndustryBrain.Tests.Security;

public sealed class MqttPacketGuardTests
{
    /// <summary>A PUBLISH packet's fixed header declaring this body length.</summary>
    private static byte[] Header(int bodyLength)
    {
        var header = new List<byte> { 0x30 };
        do
        {
            var digit = (byte)(bodyLength % 128);
            bodyLength /= 128;
            header.Add(bodyLength > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (bodyLength > 0);

        return [.. header];
    }

    private static byte[] Packet(int bodyLength) => [.. Header(bodyLength), .. new byte[bodyLength]];

    [Fact]
    public void Packets_up_to_the_limit_pass_however_the_bytes_are_cut()
    {
        var stream = Packet(100).Concat(Packet(0)).Concat(Packet(1000)).Concat(Packet(200)).ToArray();
        foreach (var cut in new[] { 1, 2, 3, 7, 64, stream.Length })
        {
            var guard = new MqttPacketGuard(1000);
            for (var i = 0; i < stream.Length; i += cut)
            {
                guard.Scan(stream.AsSpan(i, Math.Min(cut, stream.Length - i)));
            }
        }
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(200_000_000)]
    public void A_packet_over_the_limit_is_refused_as_soon_as_its_length_is_read(int length)
    {
        var guard = new MqttPacketGuard(1000);
        guard.Scan(Packet(10));
        Assert.Throws<MqttPacketTooLargeException>(() => guard.Scan(Header(length)));
    }

    [Fact]
    public void A_length_of_more_than_four_bytes_is_refused()
    {
        var guard = new MqttPacketGuard(int.MaxValue);
        Assert.Throws<MqttPacketTooLargeException>(() => guard.Scan([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]));
    }
}
