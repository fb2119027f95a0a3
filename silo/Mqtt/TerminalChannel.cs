using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// One terminal's connection as MQTTnet reads and writes it, straight on its socket, in place of MQTTnet's
/// <c>MqttTcpChannel</c> over a <see cref="NetworkStream"/>: every byte read goes through the connection's
/// <see cref="MqttPacketGuard"/>, so a packet over the limit closes the connection before any memory is taken for it.
/// A connection waits on one read at a time, and writes rarely and little (a PUBACK, a reject): a write is tried at
/// once on the non-blocking socket and waits only when the socket's buffer is full. One object and one pending read
/// a connection instead of four objects and two, and no send state kept for a connection that sends now and then
/// (about 0.9 KiB of heap a terminal).
/// </summary>
public sealed class TerminalChannel : IMqttChannel
{
    private readonly Socket _socket;
    private readonly MqttPacketGuard _guard;
    private readonly Action _onTooLarge;

    public TerminalChannel(Socket socket, MqttPacketGuard guard, Action onTooLarge)
    {
        _socket = socket;
        _guard = guard;
        _onTooLarge = onTooLarge;
        socket.Blocking = false;
    }

    public X509Certificate2? ClientCertificate => null;

    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    public EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    public bool IsSecureConnection => false;

    public Task ConnectAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("a terminal's channel is accepted by the broker, never connected by it");

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Reads what the terminal sent; 0 when the connection is closed (as MQTTnet's own channel answers).</summary>
    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await _socket.ReceiveAsync(buffer.AsMemory(offset, count), SocketFlags.None, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }

        try
        {
            _guard.Scan(buffer.AsSpan(offset, read));
        }
        catch (MqttPacketTooLargeException)
        {
            _onTooLarge();
            throw;
        }

        return read;
    }

    /// <summary>Writes at once while the socket takes it; waits only for what the socket's buffer cannot take now.</summary>
    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        try
        {
            return Write(buffer, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: nothing more goes to this terminal (as MQTTnet's own channel does).
            return Task.CompletedTask;
        }
    }

    private Task Write(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var position = buffer.Start;
        while (buffer.TryGet(ref position, out var segment))
        {
            while (!segment.IsEmpty)
            {
                var sent = _socket.Send(segment.Span, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    return WriteLater(segment, buffer.Slice(position), cancellationToken);
                }

                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }

                segment = segment[sent..];
            }
        }

        return Task.CompletedTask;
    }

    private async Task WriteLater(ReadOnlyMemory<byte> segment, ReadOnlySequence<byte> rest, CancellationToken cancellationToken)
    {
        await SendAll(segment, cancellationToken);
        foreach (var next in rest)
        {
            await SendAll(next, cancellationToken);
        }
    }

    private async Task SendAll(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
        }
    }

    /// <summary>Closes the connection gracefully (as <see cref="NetworkStream"/> does): the terminal reads its end, not a reset.</summary>
    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by either side.
        }

        _socket.Dispose();
    }
}
