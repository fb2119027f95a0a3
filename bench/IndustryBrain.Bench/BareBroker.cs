using System.Diagnostics;
using System.Globalization;
using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IndustryBrain.Bench;

/// <summary>
/// The baseline: a bare MQTTnet.Server (the version the silo embeds) with one do-nothing QoS 1
/// subscriber to ib/#, in a process of its own like the silo. The bench drives it over stdin:
/// "count" answers the messages the subscriber got, "quit" stops it.
/// </summary>
public static class BareBroker
{
    public const string Mode = "bare-broker";

    /// <summary>Runs in the child process: dotnet IndustryBrain.Bench.dll bare-broker PORT SUBSCRIBER-QOS.</summary>
    public static async Task<int> Serve(int port, MqttQualityOfServiceLevel subscriberQos)
    {
        // The embedded broker's options, with room enough that the subscriber never loses a message.
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .WithMaxPendingMessagesPerClient(10_000_000)
            .WithPersistentSessions()
            .Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync();

        long received = 0;
        // A bare client, not an MqttTerminal: that one keeps every message it receives, and the baseline's allocations
        // (the "gc" answer) must be the broker's and a do-nothing subscriber's, not those of millions of kept messages.
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref received);
            return Task.CompletedTask;
        };
        var subscriberOptions = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("bench-subscriber")
            .WithReceiveMaximum(ushort.MaxValue)
            .WithCleanStart()
            .Build();
        ((MqttClientTcpOptions)subscriberOptions.ChannelOptions).BufferSize = 1 << 20; // not MQTTnet's 8 KiB default
        await subscriber.ConnectAsync(subscriberOptions);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("ib/#", subscriberQos).Build());

        Console.WriteLine("ready");
        while (Console.ReadLine() is { } line)
        {
            if (line == "count")
            {
                Console.WriteLine(Interlocked.Read(ref received));
            }
            else if (line == "gc")
            {
                Console.WriteLine(string.Join(' ', GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1),
                    GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)));
            }
            else if (line == "quit")
            {
                break;
            }
        }

        await subscriber.DisconnectAsync();
        await server.StopAsync();
        return 0;
    }

    /// <summary>The bench's handle on the child process.</summary>
    public sealed class Child : IAsyncDisposable
    {
        private readonly Process _child;
        private readonly SemaphoreSlim _ask = new(1, 1);

        private Child(Process child, int port)
        {
            _child = child;
            Port = port;
        }

        public int Port { get; }

        public TimeSpan CpuTime
        {
            get
            {
                _child.Refresh();
                return _child.TotalProcessorTime;
            }
        }

        public static async Task<Child> Start(MqttQualityOfServiceLevel subscriberQos)
        {
            var port = FreePort.Next();
            var self = typeof(BareBroker).Assembly.Location;
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { self, Mode, port.ToString(CultureInfo.InvariantCulture), ((int)subscriberQos).ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }

            var child = Process.Start(start) ?? throw new InvalidOperationException("the bare broker did not start");
            var first = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (first != "ready")
            {
                child.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"the bare broker said '{first}' instead of ready");
            }

            return new Child(child, port);
        }

        public async Task<long> Received() => long.Parse(await Ask("count"), CultureInfo.InvariantCulture);

        /// <summary>The broker process's GC tallies so far.</summary>
        public async Task<GcTally> Gc()
        {
            var parts = (await Ask("gc")).Split(' ');
            return new GcTally(long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
                int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture), double.Parse(parts[4], CultureInfo.InvariantCulture));
        }

        private async Task<string> Ask(string question)
        {
            await _ask.WaitAsync();
            try
            {
                await _child.StandardInput.WriteLineAsync(question);
                await _child.StandardInput.FlushAsync();
                return await _child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the bare broker went away");
            }
            finally
            {
                _ask.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _child.StandardInput.WriteLineAsync("quit");
                await _child.StandardInput.FlushAsync();
                await _child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception)
            {
                _child.Kill(entireProcessTree: true);
            }

            _child.Dispose();
            _ask.Dispose();
        }
    }
}
