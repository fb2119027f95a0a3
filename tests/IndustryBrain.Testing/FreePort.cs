using System.Net;
using System.Net.Sockets;

namespace IndustryBrain.Testing;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port the OS hands out for port 0 can be taken by
    // any outgoing connection between the moment it is freed and the moment the silo binds it.
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly HashSet<int> Given = [];
    private static int _next = First + (Environment.ProcessId * 7919 % (Last - First));

    /// <summary>A TCP port on 127.0.0.1 that nobody listens on now and this process never handed out before.</summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var tries = 0; tries < Last - First; tries++)
            {
                var port = _next;
                _next = _next >= Last ? First : _next + 1;
                if (Given.Contains(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    Given.Add(port);
                    return port;
                }
                catch (SocketException)
                {
                }
            }

            throw new InvalidOperationException($"no free port between {First} and {Last}");
        }
    }

    public static int[] Next(int count) => [.. Enumerable.Range(0, count).Select(_ => Next())];
}
