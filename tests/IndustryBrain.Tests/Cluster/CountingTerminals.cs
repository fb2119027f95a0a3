using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Cluster;

/// <summary>
/// Simulated machine terminals as the contract describes them: each counts cumulatively per (order,
/// step), publishes readings at QoS 1 over its own MQTT 5 connection, holds its latest reading per key
/// while the broker is away and sends it on reconnecting, and re-sends all its latest readings when
/// the brain announces a new epoch. <see cref="Expected"/> is what the brain must show once it caught up.
/// </summary>
public sealed class CountingTerminals : IAsyncDisposable
{
    private readonly List<Terminal> _terminals = [];

    private CountingTerminals()
    {
    }

    public IReadOnlyList<string> Enterprises { get; private init; } = [];

    public IReadOnlyList<string> Orders { get; private init; } = [];

    /// <summary>Readings published (and acknowledged by the broker), resends included.</summary>
    public long Published => _terminals.Sum(t => Interlocked.Read(ref t.Published));

    /// <summary>Readings counted, each published once at least.</summary>
    public long Counted => _terminals.Sum(t => t.Counted);

    /// <summary>Terminals.</summary>
    public int TerminalCount => _terminals.Count;

    /// <summary>Reconnections after a lost connection, each followed by a resend of what the terminal held.</summary>
    public int Reconnections => _terminals.Sum(t => t.Reconnections);

    /// <summary>Epoch changes the terminals saw and answered with a resend.</summary>
    public int Resyncs => _terminals.Sum(t => t.Resyncs);

    public static async Task<CountingTerminals> Connect(int mqttPort, string prefix, int enterprises, int terminalsPerEnterprise, string[] orders, string[] steps)
    {
        var ids = Enumerable.Range(1, enterprises).Select(e => $"{prefix}-e{e}").ToArray();
        var terminals = new CountingTerminals { Enterprises = ids, Orders = orders };
        var number = 0;
        foreach (var enterprise in ids)
        {
            for (var t = 1; t <= terminalsPerEnterprise; t++)
            {
                // Each terminal counts every order at one step of the routing, as a station does.
                var step = steps[number++ % steps.Length];
                var terminal = new Terminal(mqttPort, enterprise, $"T{t}", orders.Select(o => (o, step)).ToArray());
                await terminal.Connect();
                terminals._terminals.Add(terminal);
            }
        }

        return terminals;
    }

    /// <summary>Every terminal counts <paramref name="readings"/> readings, one message each, pausing between them.</summary>
    public Task Run(int readings, TimeSpan pause, CancellationToken cancellationToken = default) =>
        Task.WhenAll(_terminals.Select(t => Task.Run(() => t.Run(readings, pause, cancellationToken), cancellationToken)));

    /// <summary>Per (enterprise, order, step): the sum over terminals of their latest cumulative good and scrap.</summary>
    public Dictionary<(string Enterprise, string Order, string Step), (long Good, long Scrap)> Expected()
    {
        var expected = new Dictionary<(string, string, string), (long, long)>();
        foreach (var terminal in _terminals)
        {
            foreach (var ((order, step), latest) in terminal.Latest)
            {
                var key = (terminal.Enterprise, order, step);
                expected.TryGetValue(key, out var sum);
                expected[key] = (sum.Item1 + latest.Good, sum.Item2 + latest.Scrap);
            }
        }

        return expected;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var terminal in _terminals)
        {
            await terminal.DisposeAsync();
        }
    }

    private sealed record Count(long Seq, long Good, long Scrap);

    private sealed class Terminal(int mqttPort, string enterprise, string id, (string Order, string Step)[] keys) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _reconnect = new(1, 1);
        private readonly Random _random = new(HashCode.Combine(enterprise, id));
        private MqttTerminal _mqtt = null!;
        private string? _epoch;
        private bool _disposed;
        private int _reconnections;
        public long Published;

        public string Enterprise => enterprise;

        public ConcurrentDictionary<(string Order, string Step), Count> Latest { get; } = new();

        public long Counted { get; private set; }

        public int Resyncs { get; private set; }

        public int Reconnections => Volatile.Read(ref _reconnections);

        public async Task Connect()
        {
            _mqtt = await MqttTerminal.ConnectWith(mqttPort, enterprise, id, options => options
                .WithClientId($"{enterprise}-{id}-{Guid.NewGuid():N}") // a fresh one on each reconnect too
                .WithTimeout(TimeSpan.FromSeconds(100)) // MQTTnet's default: how long a reading waits for its PUBACK before it is held
                .WithWillTopic($"ib/{enterprise}/{id}/status")
                .WithWillPayload("""{"state":"offline"}""")
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
            _mqtt.OnReceived = OnMessage;
            _mqtt.Client.DisconnectedAsync += _ => _disposed ? Task.CompletedTask : Task.Run(Reconnect);
            await _mqtt.TrySubscribe("ib/brain/state");
        }

        private async Task Reconnect()
        {
            if (!await _reconnect.WaitAsync(0))
            {
                return;
            }

            try
            {
                while (!_disposed && !_mqtt.IsConnected)
                {
                    try
                    {
                        await _mqtt.Reconnect();
                        await _mqtt.TrySubscribe("ib/brain/state");
                    }
                    catch (Exception)
                    {
                        await Task.Delay(300); // the broker is still away
                    }
                }
            }
            finally
            {
                _reconnect.Release();
            }

            // What was counted while the broker was away is held, and goes out now.
            await ResendAll();
            Interlocked.Increment(ref _reconnections);
        }

        private void OnMessage(Received message)
        {
            using var state = JsonDocument.Parse(message.Payload);
            if (state.RootElement.TryGetProperty("epoch", out var epoch) && epoch.GetString() is { } seen && seen != _epoch)
            {
                var first = _epoch is null;
                _epoch = seen;
                if (!first)
                {
                    Resyncs++;
                    _ = Task.Run(ResendAll); // not on the client's receive loop, which must stay free for PUBACKs
                }
            }
        }

        public async Task Run(int readings, TimeSpan pause, CancellationToken cancellationToken)
        {
            for (var i = 0; i < readings && !cancellationToken.IsCancellationRequested; i++)
            {
                var key = keys[i % keys.Length];
                var before = Latest.GetValueOrDefault(key) ?? new Count(0, 0, 0);
                var scrap = _random.Next(20) == 0 ? 1 : 0;
                var now = new Count(before.Seq + 1, before.Good + 1 + _random.Next(3), before.Scrap + scrap);
                Latest[key] = now;
                Counted++;
                await Send(key, now);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, CancellationToken.None);
                }
            }
        }

        private async Task ResendAll()
        {
            foreach (var (key, count) in Latest)
            {
                await Send(key, count);
            }
        }

        private async Task Send((string Order, string Step) key, Count count)
        {
            if (!_mqtt.IsConnected)
            {
                return; // held: sent on reconnecting
            }

            var payload = JsonSerializer.SerializeToUtf8Bytes(new { order = key.Order, step = key.Step, run = 0, seq = count.Seq, good = count.Good, scrap = count.Scrap });
            try
            {
                await _mqtt.Publish(_mqtt.CountTopic, payload);
                Interlocked.Increment(ref Published);
            }
            catch (Exception)
            {
                // The connection broke mid-publish (whatever MQTTnet calls it): the reading is held and goes out on reconnecting.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            await _mqtt.DisposeAsync();
        }
    }
}
