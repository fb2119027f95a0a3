using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IndustryBrain.Bench.Fleet;

/// <summary>What the worker is told about one terminal.</summary>
public sealed record TerminalSpec(string Username, string Password, string Order, string Step, int Port, string Source);

/// <summary>
/// One terminal as the contract describes it, over a plain socket: it counts pieces (cumulative good, seq = good),
/// publishes its latest reading at QoS 1 with at most <see cref="Window"/> unacknowledged, holds what it counts while
/// it cannot send (the next reading carries it), subscribes to its reject topic and to ib/brain/state, and re-sends
/// its latest reading when the brain's epoch changes. Reconnects by itself when the connection ends.
/// </summary>
public sealed class FleetTerminal(TerminalSpec spec, FleetCounters counters, int window)
{
    private static readonly byte[] BrainState = "ib/brain/state"u8.ToArray();
    private static readonly byte[] EpochKey = "\"epoch\":\""u8.ToArray();

    private readonly byte[] _topic = Encoding.UTF8.GetBytes(TopicOf(spec.Username));
    private readonly byte[] _payloadHead = Encoding.UTF8.GetBytes($"{{\"order\":\"{spec.Order}\",\"step\":\"{spec.Step}\",\"seq\":");
    private readonly long[] _sentAt = new long[window];
    private readonly Lock _lock = new();
    private Socket? _socket;
    private ushort _nextId;
    private int _inFlight;
    private int _pubAcksOwed;
    private readonly ushort[] _owed = new ushort[8];
    private bool _sending;
    private string? _epoch;

    public TerminalSpec Spec { get; } = spec;

    public int Window { get; } = window;

    /// <summary>Pieces counted so far: the latest reading's good and seq.</summary>
    public long Good { get; private set; }

    /// <summary>The good of the latest reading the brain acknowledged.</summary>
    public long Acked { get; private set; }

    /// <summary>The good of the latest reading sent.</summary>
    public long Sent { get; private set; }

    public bool Connected { get; private set; }

    /// <summary>A reading acknowledged since <see cref="Marked"/> was set false.</summary>
    public bool Marked { get; set; }

    public long LastSendTicks { get; private set; }

    /// <summary>Counting flat out: one more piece for every acknowledgement, <see cref="Window"/> readings in flight.</summary>
    public volatile bool FlatOut;

    public static string TopicOf(string username) => $"ib/{username}/count";

    /// <summary>Connects (CONNECT, CONNACK, SUBSCRIBE) and serves the connection until it ends; answers false if it could not connect.</summary>
    public async Task<bool> Run(CancellationToken stopping)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(Spec.Source), 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Spec.Port), stopping);
            await socket.SendAsync(MqttFrames.Connect("fleet-" + Spec.Username.Replace('/', '-'), Spec.Username, Spec.Password, 60), stopping);
        }
        catch (Exception) when (!stopping.IsCancellationRequested)
        {
            socket.Dispose();
            Interlocked.Increment(ref counters.ConnectFailures);
            return false;
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            return false;
        }

        var buffer = new byte[512];
        var filled = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), stopping);
                if (n == 0)
                {
                    break;
                }

                filled += n;
                var at = 0;
                while (filled - at >= 2 && MqttFrames.TryReadLength(buffer.AsSpan(at + 1, filled - at - 1), out var length, out var lengthBytes)
                    && filled - at >= 1 + lengthBytes + length)
                {
                    Handle(socket, buffer[at], buffer.AsSpan(at + 1 + lengthBytes, length));
                    at += 1 + lengthBytes + length;
                }

                if (at > 0)
                {
                    buffer.AsSpan(at, filled - at).CopyTo(buffer);
                    filled -= at;
                }

                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }
        catch (Exception) when (!stopping.IsCancellationRequested)
        {
            // The connection ended.
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            bool was;
            lock (_lock)
            {
                was = Connected;
                Connected = false;
                _socket = null;
                _inFlight = 0;
                _pubAcksOwed = 0;
                _sending = false;
            }

            socket.Dispose();
            if (was)
            {
                Interlocked.Decrement(ref counters.Connected);
                if (!stopping.IsCancellationRequested)
                {
                    Interlocked.Increment(ref counters.Drops);
                }
            }
        }

        return true;
    }

    private void Handle(Socket socket, byte first, ReadOnlySpan<byte> body)
    {
        switch (first & 0xF0)
        {
            case MqttFrames.ConnAck:
                if (body.Length >= 2 && body[1] == 0)
                {
                    socket.Send(MqttFrames.Subscribe($"ib/{Spec.Username}/reject", "ib/brain/state"));
                    lock (_lock)
                    {
                        _socket = socket;
                        Connected = true;
                    }

                    Interlocked.Increment(ref counters.Connected);
                    Interlocked.Increment(ref counters.Connects);

                    // Whatever was counted while away goes now.
                    Count(0);
                }
                else
                {
                    Interlocked.Increment(ref counters.ConnectRefusals);
                    socket.Shutdown(SocketShutdown.Both);
                }

                break;
            case MqttFrames.PubAck:
                var id = BinaryPrimitives.ReadUInt16BigEndian(body);
                var reason = body.Length >= 3 ? body[2] : (byte)0;
                counters.Latency.Record(Stopwatch.GetElapsedTime(_sentAt[id % Window]));
                Interlocked.Increment(ref reason >= 0x80 ? ref counters.Refused : ref counters.Acks);
                lock (_lock)
                {
                    _inFlight = Math.Max(0, _inFlight - 1);
                    if (reason < 0x80)
                    {
                        Acked = Math.Max(Acked, AckedGoodOf(id));
                    }

                    Marked = true;
                    if (FlatOut)
                    {
                        Good++;
                    }

                    SendLocked();
                }

                break;
            case MqttFrames.Publish:
                var qos = (first >> 1) & 3;
                var topicLength = BinaryPrimitives.ReadUInt16BigEndian(body);
                var topic = body.Slice(2, topicLength);
                var rest = body[(2 + topicLength)..];
                ushort packetId = 0;
                if (qos > 0)
                {
                    packetId = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    rest = rest[2..];
                }

                MqttFrames.TryReadLength(rest, out var propertiesLength, out var propertiesBytes);
                var payload = rest[(propertiesBytes + propertiesLength)..];
                if (topic.SequenceEqual(BrainState))
                {
                    OnBrainState(payload);
                }
                else
                {
                    Interlocked.Increment(ref counters.Rejects);
                }

                if (qos > 0)
                {
                    lock (_lock)
                    {
                        if (_pubAcksOwed < _owed.Length)
                        {
                            _owed[_pubAcksOwed++] = packetId;
                        }

                        SendLocked();
                    }
                }

                break;
            case MqttFrames.Disconnect:
                Interlocked.Increment(ref counters.ServerDisconnects);
                break;
        }
    }

    // The good of the reading sent with a packet id: kept beside its send time.
    private readonly long[] _goodOf = new long[256];

    private long AckedGoodOf(ushort id) => _goodOf[id % _goodOf.Length];

    private void OnBrainState(ReadOnlySpan<byte> payload)
    {
        var at = payload.IndexOf(EpochKey);
        if (at < 0)
        {
            return;
        }

        var rest = payload[(at + EpochKey.Length)..];
        var end = rest.IndexOf((byte)'"');
        var epoch = end < 0 ? "" : Encoding.ASCII.GetString(rest[..end]);
        lock (_lock)
        {
            if (_epoch is not null && _epoch != epoch)
            {
                // A new epoch: re-send the latest reading, even if it was acknowledged.
                Interlocked.Increment(ref counters.Resyncs);
                Sent = -1;
                SendLocked();
            }

            _epoch = epoch;
        }
    }

    /// <summary>Counts <paramref name="pieces"/> more and sends the latest reading if the window allows.</summary>
    public void Count(int pieces)
    {
        lock (_lock)
        {
            Good += pieces;
            SendLocked();
        }
    }

    /// <summary>Flat out: fills the window.</summary>
    public void Kick()
    {
        lock (_lock)
        {
            for (var i = 0; i < Window && _inFlight < Window && !_sending; i++)
            {
                Good++;
                SendLocked();
            }
        }
    }

    /// <summary>Sends the owed PUBACKs and, when something new was counted and the window has room, the latest reading.</summary>
    private void SendLocked()
    {
        if (_socket is not { } socket || _sending)
        {
            return;
        }

        var publish = Sent != Good && _inFlight < Window;
        if (!publish && _pubAcksOwed == 0)
        {
            return;
        }

        var frame = new byte[16 + (_pubAcksOwed * 4) + _topic.Length + _payloadHead.Length + 64];
        var at = 0;
        for (var i = 0; i < _pubAcksOwed; i++)
        {
            at += MqttFrames.WritePubAck(frame.AsSpan(at), _owed[i]);
        }

        _pubAcksOwed = 0;
        if (publish)
        {
            Span<byte> payload = stackalloc byte[_payloadHead.Length + 64];
            _payloadHead.CopyTo(payload);
            var length = _payloadHead.Length;
            Good.TryFormat(payload[length..], out var w, provider: CultureInfo.InvariantCulture);
            length += w;
            ",\"good\":"u8.CopyTo(payload[length..]);
            length += 8;
            Good.TryFormat(payload[length..], out w, provider: CultureInfo.InvariantCulture);
            length += w;
            ",\"scrap\":0}"u8.CopyTo(payload[length..]);
            length += 11;
            _nextId = (ushort)(_nextId % 65535 + 1);
            at += MqttFrames.WritePublish(frame.AsSpan(at), _topic, _nextId, payload[..length]);
            _sentAt[_nextId % Window] = Stopwatch.GetTimestamp();
            _goodOf[_nextId % _goodOf.Length] = Good;
            _inFlight++;
            Sent = Good;
            LastSendTicks = Environment.TickCount64;
            Interlocked.Increment(ref counters.Publishes);
        }

        var sending = socket.SendAsync(frame.AsMemory(0, at));
        if (!sending.IsCompletedSuccessfully)
        {
            _sending = true;
            _ = Finish(sending);
        }
    }

    private async Task Finish(ValueTask<int> sending)
    {
        try
        {
            await sending;
        }
        catch (Exception)
        {
            // The receive loop sees the connection end.
        }

        lock (_lock)
        {
            _sending = false;
            SendLocked();
        }
    }

    /// <summary>A ping when nothing was sent for a while (keep-alive 60 s).</summary>
    public void KeepAlive()
    {
        lock (_lock)
        {
            if (_socket is { } socket && !_sending && Environment.TickCount64 - LastSendTicks > 45_000)
            {
                LastSendTicks = Environment.TickCount64;
                try
                {
                    socket.Send(MqttFrames.PingReq);
                }
                catch (SocketException)
                {
                }
            }
        }
    }
}
