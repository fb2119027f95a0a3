using System.Buffers;
using System.Net;
using System.Net.Sockets;
using IndustryBrain.Silo.Mqtt;

namespace IndustryBrain.Tests.Broker;

/// <summary>
/// A terminal's channel on a real loopback connection: writes that the socket cannot take at once wait and arrive
/// whole and in order once the terminal reads, every byte read goes through the packet guard, and a closed connection
/// reads as its end.
/// </summary>
public sealed class TerminalChannelTests : IAsyncLifetime
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private Socket _server = null!;
    private Socket _terminal = null!;
    private int _tooLarge;

    public async Task InitializeAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _terminal = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = _listener.AcceptAsync();
        await _terminal.ConnectAsync(_listener.LocalEndPoint!);
        _server = await accept;
    }

    public Task DisposeAsync()
    {
        _terminal.Dispose();
        _server.Dispose();
        _listener.Dispose();
        return Task.CompletedTask;
    }

    private TerminalChannel Channel(int maxPacketBytes = 1 << 20) =>
        new(_server, new MqttPacketGuard(maxPacketBytes), () => Interlocked.Increment(ref _tooLarge));

    [Fact]
    public async Task A_write_larger_than_the_socket_takes_waits_and_arrives_whole_and_in_order()
    {
        using var channel = Channel();
        // 16 MiB in three segments: far more than loopback's socket buffers hold while the terminal does not read.
        var first = Bytes(5 << 20, 1);
        var second = Bytes(6 << 20, 2);
        var third = Bytes(5 << 20, 3);
        var write = channel.WriteAsync(Sequences.Of(first, second, third), isEndOfPacket: true, CancellationToken.None);
        Assert.False(write.IsCompleted, "the socket took 16 MiB without the terminal reading: the test shows nothing");

        var received = new MemoryStream();
        var buffer = new byte[1 << 16];
        while (received.Length < first.Length + second.Length + third.Length)
        {
            var read = await _terminal.ReceiveAsync(buffer);
            Assert.NotEqual(0, read);
            received.Write(buffer, 0, read);
        }

        await write;
        Assert.Equal([.. first, .. second, .. third], received.ToArray());
    }

    [Fact]
    public async Task Small_writes_are_sent_at_once()
    {
        using var channel = Channel();
        var write = channel.WriteAsync(new ReadOnlySequence<byte>([0x40, 0x02, 0x00, 0x07]), isEndOfPacket: true, CancellationToken.None);
        Assert.True(write.IsCompletedSuccessfully);
        var buffer = new byte[4];
        Assert.Equal(4, await _terminal.ReceiveAsync(buffer));
        Assert.Equal([0x40, 0x02, 0x00, 0x07], buffer);
    }

    [Fact]
    public async Task A_packet_declaring_more_than_the_limit_is_refused_while_its_length_is_read()
    {
        using var channel = Channel(maxPacketBytes: 1_000);
        // A PUBLISH whose remaining length says 2,000 bytes (0xD0 0x0F).
        await _terminal.SendAsync(new byte[] { 0x30, 0xD0, 0x0F });
        var buffer = new byte[3];
        var read = 0;
        var refused = await Assert.ThrowsAsync<MqttPacketTooLargeException>(async () =>
        {
            while (true)
            {
                read += await channel.ReadAsync(buffer, read, 1, CancellationToken.None);
            }
        });
        Assert.Contains("1000 bytes", refused.Message);
        // The header and the length's first byte came through; the byte that makes the length 2,000 did not.
        Assert.Equal(2, read);
        Assert.Equal(1, _tooLarge);
    }

    [Fact]
    public async Task A_packet_within_the_limit_is_read_as_sent()
    {
        using var channel = Channel(maxPacketBytes: 1_000);
        byte[] pingReq = [0xC0, 0x00];
        await _terminal.SendAsync(pingReq);
        var buffer = new byte[2];
        var read = 0;
        while (read < 2)
        {
            read += await channel.ReadAsync(buffer, read, 2 - read, CancellationToken.None);
        }

        Assert.Equal(pingReq, buffer);
        Assert.Equal(0, _tooLarge);
    }

    [Fact]
    public async Task A_closed_channel_reads_as_the_end_and_the_terminal_sees_a_graceful_close()
    {
        var channel = Channel();
        channel.Dispose();
        Assert.Equal(0, await channel.ReadAsync(new byte[4], 0, 4, CancellationToken.None));
        await channel.WriteAsync(new ReadOnlySequence<byte>([0xC0, 0x00]), isEndOfPacket: true, CancellationToken.None);
        Assert.Equal(0, await _terminal.ReceiveAsync(new byte[4]));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
