using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IndustryBrain.Client.Api;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Client.Simulator;

/// <summary>A simulated firm and its planned orders.</summary>
public sealed record SimulatedEnterprise(string Id, EnterpriseProfile Profile, SimulatedOrder[] Orders);

public sealed record SimulatedOrder(string Enterprise, string Id, OrderPlan Plan);

/// <summary>A terminal's MQTT username and password, as POST .../terminals/{terminal}/credential answers them.</summary>
public sealed record TerminalCredential(string Username, string Password);

/// <summary>What an order's steps must count once everything sent is applied: the sums of the latest readings per (terminal, run).</summary>
public sealed record ExpectedOrder(string Enterprise, string Order, IReadOnlyDictionary<string, StepCount> Steps);

/// <summary>A step whose count is not what was sent, or an order that could not be read.</summary>
public sealed record Mismatch(string Enterprise, string Order, string Step, StepCount Expected, StepCount? Actual, string? Problem = null)
{
    public override string ToString() => Problem is not null
        ? $"{Enterprise}/{Order}: {Problem}"
        : $"{Enterprise}/{Order} {Step}: good {Actual?.Good} scrap {Actual?.Scrap}, sent good {Expected.Good} scrap {Expected.Scrap}";
}

public sealed record Verification(int Orders, int Exact, IReadOnlyList<Mismatch> Mismatches, TimeSpan Took)
{
    public bool IsExact => Exact == Orders;
}

/// <summary>What a simulation sent.</summary>
public sealed record SimulationReport(
    int Enterprises, int Terminals, int Orders, int Connections,
    long Messages, long Readings, long DuplicateMessages, long DuplicateReadings, long Resets,
    long Resyncs, long ResentReadings, long Refused, long Rejects, long Retries, TimeSpan Elapsed)
{
    public double ReadingsPerSecond => Elapsed > TimeSpan.Zero ? Readings / Elapsed.TotalSeconds : 0;

    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Messages / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// The terminal simulator: registers enterprises and plans their orders over HTTP, then has every
/// terminal publish cumulative counts over MQTT per the contract, and finally checks through the API
/// that every step counts exactly what was sent. Usable in process by tests and benchmarks:
/// <see cref="Plan"/>, <see cref="Connect"/>, <see cref="Publish"/>, <see cref="Verify"/>, or all at once with <see cref="Run"/>.
/// </summary>
public sealed class Simulation : IAsyncDisposable
{
    private readonly SimulationOptions _options;
    private readonly BrainApi _api;
    private readonly SimulatedTerminal[] _terminals;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _epochGate = new();
    private BrokerConnection[] _connections = [];
    private long _budget;
    private string? _epoch;

    public Simulation(SimulationOptions options)
    {
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _api = new BrainApi(options.Api, options.Key);
        _budget = options.Readings ?? long.MaxValue;
        var random = new Random(options.Seed);
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var enterprises = new List<SimulatedEnterprise>();
        var terminals = new List<SimulatedTerminal>();
        for (var e = 0; e < options.Enterprises; e++)
        {
            var id = $"{options.Prefix}-{e + 1:000}";
            var line = Catalog.LineOf(e);
            var profile = new EnterpriseProfile(Catalog.FirmName(e), Catalog.Uscc(StableHash(options.Prefix) + (ulong)e),
                line.ChainNode, Catalog.Park(e), e % 4 == 0 ? "规上" : "中小");
            var orders = new SimulatedOrder[options.Orders];
            for (var o = 0; o < orders.Length; o++)
            {
                var due = new DateTimeOffset(now.Date.AddDays(random.Next(2, 7)).AddHours(18), now.Offset);
                var plan = new OrderPlan(line.Product, random.Next(200, 1200) * 25, line.UnitPrice, due, line.Routing);
                orders[o] = new SimulatedOrder(id, $"{line.Code}-{now:yyMM}-{o + 1:0000}", plan);
            }

            enterprises.Add(new SimulatedEnterprise(id, profile, orders));
            for (var t = 0; t < options.Terminals; t++)
            {
                var order = orders[t % orders.Length];
                var step = order.Plan.Routing[t / orders.Length % order.Plan.Routing.Length].Step;
                terminals.Add(new SimulatedTerminal(id, $"T{t + 1:000}", order.Id, step));
            }
        }

        Enterprises = enterprises;
        _terminals = [.. terminals];
    }

    public SimulationOptions Options => _options;

    public IReadOnlyList<SimulatedEnterprise> Enterprises { get; }

    public IReadOnlyList<SimulatedTerminal> Terminals => _terminals;

    public SimulationCounters Counters { get; } = new();

    /// <summary>The brain epoch last seen on ib/brain/state, if any.</summary>
    public string? Epoch
    {
        get
        {
            lock (_epochGate)
            {
                return _epoch;
            }
        }
    }

    /// <summary>Plans, connects, publishes and (unless told not to) verifies.</summary>
    public async Task<(SimulationReport Report, Verification? Verification)> Run(bool verify, CancellationToken cancellationToken)
    {
        await Plan(cancellationToken);
        await Connect(cancellationToken);
        var report = await Publish(cancellationToken);
        return (report, verify ? await Verify(cancellationToken) : null);
    }

    /// <summary>Registers every enterprise and plans its orders over HTTP.</summary>
    public async Task Plan(CancellationToken cancellationToken)
    {
        Log($"registering {Enterprises.Count} enterprises ({_options.Prefix}-001...) and planning {Enterprises.Count * _options.Orders} orders");
        await Parallel.ForEachAsync(Enterprises, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (enterprise, ct) =>
            {
                await _api.Send(HttpMethod.Put, BrainApi.Path("api", "enterprises", enterprise.Id), enterprise.Profile, ct);
                foreach (var order in enterprise.Orders)
                {
                    await _api.Send(HttpMethod.Put, BrainApi.Path("api", "enterprises", enterprise.Id, "orders", order.Id), order.Plan, ct);
                }
            });
    }

    /// <summary>Opens the MQTT connections (one per terminal up to the cap), subscribes, and publishes every terminal's running status.</summary>
    public async Task Connect(CancellationToken cancellationToken)
    {
        var count = Math.Min(_terminals.Length, _options.MaxConnections);
        var shared = string.IsNullOrEmpty(_options.Username) ? null : new TerminalCredential(_options.Username, _options.Password ?? "");
        var credentials = new TerminalCredential?[count];
        if (_options.TerminalCredentials)
        {
            Log($"asking for {count} terminal credentials");
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (c, ct) =>
                {
                    var terminal = _terminals[c];
                    var path = BrainApi.Path("api", "enterprises", terminal.Enterprise, "terminals", terminal.Terminal, "credential");
                    credentials[c] = BrainApi.Parse<TerminalCredential>(await _api.Send(HttpMethod.Post, path, new { }, ct));
                });
        }

        _connections = [.. Enumerable.Range(0, count).Select(c => new BrokerConnection(
            c,
            [.. _terminals.Where((_, i) => i % count == c)],
            watchesBrain: c == 0,
            _options,
            credentials[c] ?? shared,
            Counters,
            OnBrainState,
            _life.Token))];
        Log($"connecting {count} MQTT connections for {_terminals.Length} terminals to {_options.Mqtt}");
        await Parallel.ForEachAsync(_connections, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (connection, ct) => await connection.Open(ct));
    }

    /// <summary>Publishes counts until the duration ends or the readings are sent, then waits for every acknowledgement.</summary>
    public async Task<SimulationReport> Publish(CancellationToken cancellationToken)
    {
        if (_connections.Length == 0)
        {
            throw new InvalidOperationException("Connect before publishing");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _life.Token);
        var clock = Stopwatch.StartNew();
        var ticker = Ticker(clock, stop.Token);
        var loops = _connections.Select((connection, i) => Task.Run(() => PublishLoop(connection, i, clock, stop.Token, drain.Token), CancellationToken.None));
        await Task.WhenAll(loops);
        clock.Stop();
        await stop.CancelAsync();
        await ticker;
        var report = Report(clock.Elapsed);
        Log($"sent {report.Readings:N0} readings in {report.Messages:N0} messages in {report.Elapsed.TotalSeconds:0.0} s: " +
            $"{report.ReadingsPerSecond:N0} readings/s, {report.MessagesPerSecond:N0} messages/s");
        return report;
    }

    private async Task PublishLoop(BrokerConnection connection, int index, Stopwatch clock, CancellationToken stop, CancellationToken drain)
    {
        var random = new Random(unchecked((_options.Seed * 7919) + index));
        var share = _options.Rate * connection.Terminals.Length / _terminals.Length;
        var window = _options.Reorder ? _options.ReorderWindow : 1;
        var buffer = new ArrayBufferWriter<byte>(1024);
        long sent = 0;
        var next = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (share > 0)
                {
                    var ahead = sent - clock.Elapsed.TotalSeconds * share;
                    if (ahead >= 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Max(ahead / share, 0.001)), stop);
                        continue;
                    }
                }

                var take = Reserve(_options.Batch);
                if (take == 0)
                {
                    break;
                }

                var terminal = connection.Terminals[next++ % connection.Terminals.Length];
                var older = _options.Duplicates > 0 && random.NextDouble() < _options.Duplicates ? terminal.Older(random) : null;
                Counters.NewRuns(terminal.Count(take, random, _options.Resets, DateTimeOffset.UtcNow, buffer, out var payload));
                terminal.Remember(payload);
                sent += take;
                Counters.Sent(take);
                await connection.Enqueue(new Outgoing(terminal.CountTopic, payload), random, window, drain);
                if (older is not null)
                {
                    Counters.Duplicated(ReadingsIn(older));
                    await connection.Enqueue(new Outgoing(terminal.CountTopic, older), random, window, drain);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await connection.Drain(random, drain);
    }

    /// <summary>FNV-1a: the same text gives the same number in every process (string.GetHashCode does not).</summary>
    private static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private int Reserve(int wanted)
    {
        while (true)
        {
            var left = Interlocked.Read(ref _budget);
            if (left <= 0)
            {
                return 0;
            }

            var take = (int)Math.Min(wanted, left);
            if (Interlocked.CompareExchange(ref _budget, left - take, left) == left)
            {
                return take;
            }
        }
    }

    private static int ReadingsIn(byte[] payload)
    {
        if (payload[0] != (byte)'[')
        {
            return 1;
        }

        using var document = JsonDocument.Parse(payload);
        return document.RootElement.GetArrayLength();
    }

    private async Task Ticker(Stopwatch clock, CancellationToken stop)
    {
        if (_options.Log is null)
        {
            return;
        }

        try
        {
            long last = 0;
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop);
                var readings = Counters.Readings;
                Log($"{clock.Elapsed.TotalSeconds,5:0}s  {readings,12:N0} readings  {(readings - last) / 5.0,9:N0}/s");
                last = readings;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public SimulationReport Report(TimeSpan elapsed) => new(
        Enterprises.Count, _terminals.Length, Enterprises.Count * _options.Orders, _connections.Length,
        Counters.Messages, Counters.Readings, Counters.DuplicateMessages, Counters.DuplicateReadings, Counters.Resets,
        Counters.Resyncs, Counters.ResentReadings, Counters.Refused, Counters.Rejects, Counters.Retries, elapsed);

    /// <summary>Every order with what each routing step must count: the sums, over its terminals and runs, of the latest readings sent.</summary>
    public IReadOnlyList<ExpectedOrder> Expected()
    {
        var sums = new Dictionary<(string, string), Dictionary<string, StepCount>>();
        foreach (var enterprise in Enterprises)
        {
            foreach (var order in enterprise.Orders)
            {
                sums[(enterprise.Id, order.Id)] = order.Plan.Routing.ToDictionary(s => s.Step, _ => default(StepCount), StringComparer.Ordinal);
            }
        }

        foreach (var terminal in _terminals)
        {
            var steps = sums[(terminal.Enterprise, terminal.Order)];
            foreach (var run in terminal.Latest())
            {
                var sum = steps[terminal.Step];
                steps[terminal.Step] = new StepCount(sum.Good + run.Good, sum.Scrap + run.Scrap);
            }
        }

        return [.. sums.Select(s => new ExpectedOrder(s.Key.Item1, s.Key.Item2, s.Value))];
    }

    /// <summary>
    /// Polls every order over HTTP until each step counts exactly what was sent, or the verify timeout
    /// passes. A new brain epoch seen meanwhile is answered by a resync, as during publishing.
    /// </summary>
    public async Task<Verification> Verify(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var expected = Expected();
        var pending = expected.ToList();
        var mismatches = new List<Mismatch>();
        Log($"verifying {expected.Count} orders");
        while (true)
        {
            var round = new List<Mismatch>[pending.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, pending.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (i, ct) => round[i] = await Check(pending[i], ct));
            mismatches = [.. round.SelectMany(m => m)];
            pending = [.. pending.Where((_, i) => round[i].Count > 0)];
            if (pending.Count == 0 || clock.Elapsed >= _options.VerifyTimeout)
            {
                break;
            }

            await Task.Delay(250, cancellationToken);
        }

        return new Verification(expected.Count, expected.Count - pending.Count, mismatches, clock.Elapsed);
    }

    private async Task<List<Mismatch>> Check(ExpectedOrder order, CancellationToken cancellationToken)
    {
        OrderProgress progress;
        try
        {
            progress = await _api.Get<OrderProgress>(BrainApi.Path("api", "enterprises", order.Enterprise, "orders", order.Order), cancellationToken);
        }
        catch (Exception e) when (e is BrainProblem or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return [new Mismatch(order.Enterprise, order.Order, "", default, null, e.Message)];
        }

        var mismatches = new List<Mismatch>();
        foreach (var (step, sent) in order.Steps)
        {
            var shown = Array.Find(progress.Steps, s => s.Step == step);
            var actual = shown is null ? default : new StepCount(shown.Good, shown.Scrap);
            if (actual != sent)
            {
                mismatches.Add(new Mismatch(order.Enterprise, order.Order, step, sent, actual));
            }
        }

        return mismatches;
    }

    private void OnBrainState(ReadOnlySequence<byte> payload)
    {
        string? epoch;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var online = root.TryGetProperty("online", out var o) && o.ValueKind == JsonValueKind.True;
            epoch = online && root.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }
        catch (JsonException)
        {
            return;
        }

        string? previous;
        lock (_epochGate)
        {
            if (epoch is null || epoch == _epoch)
            {
                return;
            }

            previous = _epoch;
            _epoch = epoch;
        }

        if (previous is null)
        {
            Log($"brain epoch {epoch}");
            return;
        }

        Counters.Resynced();
        Log($"brain epoch changed from {previous} to {epoch}: resending the latest reading of every (order, step, run)");
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(_connections.Select(c => c.Resync(_life.Token)));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private void Log(string line) => _options.Log?.WriteLine(line);

    /// <summary>Marks every terminal offline, disconnects, and gives up what is still unacknowledged.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Task.WhenAll(_connections.Select(c => c.Close(timeout.Token)));
        await _life.CancelAsync();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        _api.Dispose();
        _life.Dispose();
    }
}
