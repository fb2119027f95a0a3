using System.Net.Sockets;

namespace IndustryBrain.Testing;

/// <summary>A throwaway redis-server on a free loopback port, without persistence, for a cluster of silos.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private RedisServer(ServerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisServer> Start()
    {
        var port = FreePort.Next();
        var process = ServerProcess.Start("redis-server",
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new RedisServer(process, port);
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
