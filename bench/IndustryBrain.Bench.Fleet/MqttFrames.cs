using System.Buffers.Binary;
using System.Text;

namespace IndustryBrain.Bench.Fleet;

/// <summary>
/// The few MQTT 5 packets a terminal sends, encoded by hand into plain byte arrays (no client library: 30,000 of
/// them must cost the publisher little), and the fixed header of what the broker sends back.
/// </summary>
public static class MqttFrames
{
    public const byte ConnAck = 0x20;
    public const byte Publish = 0x30;
    public const byte PubAck = 0x40;
    public const byte SubAck = 0x90;
    public const byte PingResp = 0xD0;
    public const byte Disconnect = 0xE0;

    public static readonly byte[] PingReq = [0xC0, 0x00];

    /// <summary>CONNECT, MQTT 5, clean start, with username and password.</summary>
    public static byte[] Connect(string clientId, string username, string password, ushort keepAliveSeconds)
    {
        var body = new List<byte>(64);
        body.AddRange([0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x80 | 0x40 | 0x02]);
        body.Add((byte)(keepAliveSeconds >> 8));
        body.Add((byte)keepAliveSeconds);
        body.Add(0x00); // no properties
        String(body, clientId);
        String(body, username);
        String(body, password);
        return Packet(0x10, body);
    }

    /// <summary>SUBSCRIBE at QoS 1 to each filter, packet id 1.</summary>
    public static byte[] Subscribe(params string[] filters)
    {
        var body = new List<byte>(64) { 0x00, 0x01, 0x00 };
        foreach (var filter in filters)
        {
            String(body, filter);
            body.Add(0x01);
        }

        return Packet(0x82, body);
    }

    /// <summary>The part of a QoS 1 PUBLISH before its packet id: fixed header and topic, for a payload of exactly <paramref name="payloadLength"/> bytes.</summary>
    public static int WritePublish(Span<byte> into, ReadOnlySpan<byte> topic, ushort packetId, ReadOnlySpan<byte> payload)
    {
        var remaining = 2 + topic.Length + 2 + 1 + payload.Length;
        var at = 0;
        into[at++] = 0x32;
        at += WriteLength(into[at..], remaining);
        BinaryPrimitives.WriteUInt16BigEndian(into[at..], (ushort)topic.Length);
        at += 2;
        topic.CopyTo(into[at..]);
        at += topic.Length;
        BinaryPrimitives.WriteUInt16BigEndian(into[at..], packetId);
        at += 2;
        into[at++] = 0x00; // no properties
        payload.CopyTo(into[at..]);
        return at + payload.Length;
    }

    public static int WritePubAck(Span<byte> into, ushort packetId)
    {
        into[0] = 0x40;
        into[1] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], packetId);
        return 4;
    }

    /// <summary>The remaining length at the start of <paramref name="data"/> (after the first byte): its value and how many bytes it took, or false when incomplete.</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> data, out int length, out int bytes)
    {
        length = 0;
        for (bytes = 0; bytes < 4; bytes++)
        {
            if (bytes >= data.Length)
            {
                return false;
            }

            length |= (data[bytes] & 0x7F) << (7 * bytes);
            if ((data[bytes] & 0x80) == 0)
            {
                bytes++;
                return true;
            }
        }

        throw new InvalidDataException("remaining length over 4 bytes");
    }

    private static int WriteLength(Span<byte> into, int length)
    {
        var at = 0;
        do
        {
            var b = (byte)(length % 128);
            length /= 128;
            into[at++] = length > 0 ? (byte)(b | 0x80) : b;
        }
        while (length > 0);
        return at;
    }

    private static void String(List<byte> into, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        into.Add((byte)(bytes.Length >> 8));
        into.Add((byte)bytes.Length);
        into.AddRange(bytes);
    }

    private static byte[] Packet(byte first, List<byte> body)
    {
        Span<byte> length = stackalloc byte[4];
        var n = WriteLength(length, body.Count);
        var packet = new byte[1 + n + body.Count];
        packet[0] = first;
        length[..n].CopyTo(packet.AsSpan(1));
        body.CopyTo(packet, 1 + n);
        return packet;
    }
}
