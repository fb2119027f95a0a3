using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IndustryBrain.Silo.Security;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The embedded broker's TCP listener, in place of MQTTnet's own: it closes a connection beyond
/// Mqtt:MaxConnections, or beyond Mqtt:MaxConnectionsPerAddress from one client address, at once, and reads
/// every connection through a <see cref="MqttPacketGuard"/> (in its <see cref="TerminalChannel"/>), so a packet over
/// Mqtt:MaxPacketBytes closes its connection before any memory is taken for it.
/// </summary>
public sealed class GuardedTcpServerAdapter(
    IPAddress address,
    int port,
    int maxConnections,
    int maxPacketBytes,
    SecurityMetrics metrics,
    ILogger logger,
    int maxPerAddress = int.MaxValue) : IMqttServerAdapter
{
    public const int Backlog = 1_024;
    private Socket? _listener;
    private CancellationTokenSource? _stopping;
    private MqttServerOptions? _options;
    private IMqttNetLogger _mqttLogger = MqttNetNullLogger.Instance;
    private int _open;
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly Action _packetTooLarge = () => metrics.MqttRefused("packet-too-large");

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _options = options;
        _mqttLogger = logger;
        _stopping = new CancellationTokenSource();
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, port));
        _listener.Listen(Backlog);
        _ = Task.Run(() => Accept(_listener, _stopping.Token));
        return Task.CompletedTask;
    }

    private async Task Accept(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                logger.LogDebug(e, "accepting an MQTT connection failed");
                continue;
            }

            if (Interlocked.Increment(ref _open) > maxConnections)
            {
                Interlocked.Decrement(ref _open);
                metrics.MqttRefused("connection-limit");
                client.Dispose();
                continue;
            }

            var from = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (_perAddress.AddOrUpdate(from, 1, (_, n) => n + 1) > maxPerAddress)
            {
                Release(from);
                Interlocked.Decrement(ref _open);
                metrics.MqttRefused("address-limit");
                client.Dispose();
                continue;
            }

            // Served on the thread pool, with nothing kept for the hand-over once it runs (Task.Run would keep its
            // promise, closure and delegate for as long as the connection lasts).
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Adapter.Serve(s.Client, s.From), (Adapter: this, Client: client, From: from), preferLocal: false);
        }
    }

    /// <summary>One connection of this address fewer; an address with none left is forgotten.</summary>
    private void Release(IPAddress from)
    {
        if (_perAddress.AddOrUpdate(from, 0, (_, n) => n - 1) <= 0)
        {
            _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(from, 0));
        }
    }

    private async Task Serve(Socket socket, IPAddress from)
    {
        try
        {
            socket.NoDelay = true;
            var handler = ClientHandler;
            if (handler is null || _options is null)
            {
                return;
            }

            var channel = new TerminalChannel(socket, new MqttPacketGuard(maxPacketBytes), _packetTooLarge);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(_options.WriterBufferSize, _options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, _mqttLogger);
            ConnectionTrim.SendLock(adapter, logger);
            adapter.AllowPacketFragmentation = _options.DefaultEndpointOptions.AllowPacketFragmentation;
            await handler(adapter);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "an MQTT connection ended with an error");
        }
        finally
        {
            socket.Dispose();
            Release(from);
            Interlocked.Decrement(ref _open);
        }
    }

    public Task StopAsync()
    {
        _stopping?.Cancel();
        _listener?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stopping?.Cancel();
        _listener?.Dispose();
        _stopping?.Dispose();
    }
}
