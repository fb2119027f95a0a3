using System.Diagnostics;
using System.Net.Sockets;

namespace IndustryBrain.Bench.Fleet;

/// <summary>A throwaway redis-server on a free loopback port, without persistence, for a cluster of silos.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisServer> Start()
    {
        var port = FreePort.Take();
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start (apt-get install redis-server)");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
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

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
