using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace IndustryBrain.Bench.Fleet;

/// <summary>One line of the bench's table.</summary>
public sealed record FleetFigures(
    string Scenario, int Terminals, int Silos, double OfferedPerSecond, double ServerCpuOfOneCore, double RssMiB, double KiBPerTerminal,
    double PubAckP50Ms, double PubAckP99Ms, double AppliedPerSecond, double ApiP50Ms, double ApiP99Ms, double ApiMaxMs,
    bool Exact, long Drops, double PublisherCpuOfOneCore, double IdleCpuOfOneCore, string Note,
    MemoryPerTerminal? AllTerminals = null, MemoryPerTerminal? OneMore = null)
{
    public static string Header =>
        "| scenario | terminals | silos | offered/s | server CPU (one core = 100%) | connected, idle | µs CPU a reading | RSS MiB | KiB/terminal | after a full GC: RSS / GC committed / live heap; RSS with the GC's free memory given back, KiB/terminal | the same, one more terminal (slope over 4 steps) | PUBACK p50 / p99 ms | applied/s | API p50 / p99 / max ms | exact | drops | publisher CPU | note |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|";

    /// <summary>What the terminals offered a second; a run at full speed offers as fast as it is acknowledged.</summary>
    public string Offered => double.IsFinite(OfferedPerSecond)
        ? OfferedPerSecond.ToString("N0", CultureInfo.InvariantCulture)
        : "as fast as acknowledged";

    /// <summary>Server CPU a reading, over what holding the connections costs.</summary>
    public double MicrosPerReading => AppliedPerSecond > 0 ? (ServerCpuOfOneCore - IdleCpuOfOneCore) / 100 * 1e6 / AppliedPerSecond : double.NaN;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Terminals:N0} | {Silos} | {Offered} | {ServerCpuOfOneCore:N0}% | {IdleCpuOfOneCore:N0}% | {MicrosPerReading:N0} | {RssMiB:N0} | {KiBPerTerminal:N1} | {AllTerminals} | {OneMore} | {PubAckP50Ms:N1} / {PubAckP99Ms:N1} | {AppliedPerSecond:N0} | {ApiP50Ms:N1} / {ApiP99Ms:N1} / {ApiMaxMs:N0} | {(Exact ? "yes" : "**NO**")} | {Drops} | {PublisherCpuOfOneCore:N0}% | {Note} |");
}

/// <summary>The silos under test (one, or several of one cluster on Redis) and the fleet's plan for them.</summary>
public sealed class FleetRun(IReadOnlyList<BenchBrain> silos, FleetPlan plan, int perWorker)
{
    private const int MemorySteps = 4;
    private int _runs;

    public HttpClient Http => silos[0].Http;

    private IReadOnlyList<int> Ports => [.. silos.Select(s => s.MqttPort)];

    private TimeSpan ServerCpu() => silos.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.CpuTime);

    /// <summary>
    /// After a full collection in every silo: the live heap, what the GC holds committed for it and the RSS; then, once
    /// the GC gave its free memory back (an aggressive collection), the RSS again.
    /// </summary>
    private async Task<MemoryPoint> Memory(int terminals)
    {
        double live = 0, committed = 0, rss = 0, givenBack = 0, givenBackCommitted = 0;
        foreach (var silo in silos)
        {
            var heap = await silo.CollectGarbage(aggressive: true);
            live += heap.LiveBytes;
            committed += heap.GcCommittedBytes;
            rss += heap.WorkingSetBytes;
            givenBack += heap.GivenBackWorkingSetBytes;
            givenBackCommitted += heap.GivenBackCommittedBytes;
        }

        var point = new MemoryPoint(terminals, rss, committed, live, givenBack, givenBackCommitted);
        Console.WriteLine($"  memory after a full collection, {point}");
        return point;
    }

    private double RssBytes() => silos.Sum(s => (double)ProcessFigures.RssBytes(s.ProcessId));

    private async Task<long> Applied()
    {
        long applied = 0;
        foreach (var silo in silos)
        {
            applied += (await silo.Ingest()).Applied;
        }

        return applied;
    }

    /// <summary>Starts the workers for the first <paramref name="terminals"/> terminals and waits until all are connected.</summary>
    private async Task<(List<WorkerProcess> Workers, string Order)> Connect(int terminals, double rate, int window, string? planned = null)
    {
        var order = planned ?? await PlanOrders();
        return (await Connect(plan.Specs(terminals, order, Ports), [], rate, window), order);
    }

    /// <summary>Starts workers for <paramref name="specs"/> beside those already <paramref name="connected"/> (added to it), and waits until all are connected.</summary>
    private async Task<List<WorkerProcess>> Connect(TerminalSpec[] specs, List<WorkerProcess> connected, double rate, int window)
    {
        var terminals = connected.Sum(w => w.Status("connected")) + specs.Length;
        connected.AddRange(specs.Chunk(perWorker).Select(chunk => WorkerProcess.Start(new WorkerSpec(chunk, rate, window, 2_000))));
        await Until(() => connected.Sum(w => w.Status("connected")) >= terminals, TimeSpan.FromMinutes(10), $"{terminals:N0} terminals connected");
        return connected;
    }

    /// <summary>Each firm's order of this run, planned: its name.</summary>
    private async Task<string> PlanOrders()
    {
        var order = $"F-{Interlocked.Increment(ref _runs):000}";
        await plan.PlanOrders(Http, order);
        return order;
    }

    /// <summary>
    /// Terminals counting at <paramref name="rate"/> readings/s each: connect all, let them count for
    /// <paramref name="warm"/>, measure for <paramref name="measure"/> (server CPU, latencies, the API meanwhile),
    /// then stop, wait for every latest reading to be acknowledged and compare every count.
    /// </summary>
    public async Task<FleetFigures> Steady(string scenario, int terminals, double rate, TimeSpan warm, TimeSpan measure, int window = 1, bool flat = false)
    {
        // Memory per terminal: the RSS growth while connecting (what the machine gives, GC budgets included), and the
        // cost of one more terminal: the terminals connect in four steps, and after each the silo's memory is read
        // after a full collection (RSS, GC committed, live heap, and the RSS once the GC gave its free memory back); the
        // slope of each over the four steps is what a terminal adds, without what the first connections pay once (code
        // compiled, thread-pool threads started) and with less of the GC's step-wise growth than two points give. The
        // orders are planned before (an active order's memory is the ingest bench's figure): what is measured is the
        // terminal's connection, its session and subscriptions, and its record in its firm's grain. Not at full speed:
        // its 200 terminals are too few to show a terminal's memory, and its 20 s would still feel the GC starting
        // small again after the aggressive collections.
        var order = await PlanOrders();
        var specs = plan.Specs(terminals, order, Ports);
        var rssBefore = RssBytes();
        var steps = flat ? 1 : MemorySteps;
        List<MemoryPoint> points = flat ? [] : [await Memory(0)];
        var workers = new List<WorkerProcess>();
        await using var stop = new Workers(workers);
        var rssConnected = rssBefore;
        for (var step = 1; step <= steps; step++)
        {
            var (from, to) = (terminals * (step - 1) / steps, terminals * step / steps);
            await Connect(specs[from..to], workers, rate, window);
            await Settle();
            rssConnected = RssBytes();
            if (!flat)
            {
                points.Add(await Memory(to));
            }
        }

        // The same terminals connected and subscribed, not counting: what holding them costs, once the work of
        // planning the orders and checking the credentials is done.
        await Quiet();
        var idle0 = ServerCpu();
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idleCpu = (ServerCpu() - idle0) / idleClock.Elapsed;

        foreach (var worker in workers)
        {
            await worker.Command(flat ? "flat" : "go");
        }

        await Task.Delay(warm);
        foreach (var worker in workers)
        {
            await worker.Command("mark");
        }

        var cpu0 = ServerCpu();
        var publisherCpu0 = workers.Sum(w => w.Status("cpuMs"));
        var applied0 = await Applied();
        var clock = Stopwatch.StartNew();
        var api = await SampleApi(order, terminals, measure);
        var elapsed = clock.Elapsed;
        var cpu = (ServerCpu() - cpu0) / elapsed;
        var applied = (await Applied() - applied0) / elapsed.TotalSeconds;
        var stats = new List<JsonElement>();
        foreach (var worker in workers)
        {
            stats.Add(await worker.Command("stats"));
        }

        var publisherCpu = (workers.Sum(w => w.Status("cpuMs")) - publisherCpu0) / elapsed.TotalMilliseconds;
        var latency = LatencyHistogram.Sum(stats.Select(s => s.GetProperty("latency").EnumerateArray().Select(e => e.GetInt64()).ToArray()));
        var rssMeasured = RssBytes();

        var (exact, drops, note) = await Finish(workers, order);
        return new FleetFigures(scenario, terminals, silos.Count, flat ? double.NaN : terminals * rate, cpu * 100, rssMeasured / (1 << 20),
            (rssConnected - rssBefore) / terminals / 1024, LatencyHistogram.Percentile(latency, 0.5), LatencyHistogram.Percentile(latency, 0.99),
            applied, Percentile(api, 0.5), Percentile(api, 0.99), api.Count > 0 ? api.Max() : double.NaN, exact, drops, publisherCpu * 100,
            idleCpu * 100, note, flat ? null : MemoryPerTerminal.Between(points[0], points[^1]), flat ? null : MemoryPerTerminal.Slope(points));
    }

    /// <summary>
    /// Every terminal reconnects at once after the silo restarts (clean stop, then start; credentials checked again,
    /// since a new process trusts none yet): how long until all are connected and counting, and the CPU it took.
    /// </summary>
    public async Task<string> Storm(int terminals, double rate, bool crash)
    {
        var (workers, order) = await Connect(terminals, rate, 1);
        await using var stop = new Workers(workers);
        foreach (var worker in workers)
        {
            await worker.Command("go");
        }

        await Task.Delay(TimeSpan.FromSeconds(10));
        var silo = silos[0];
        var clock = Stopwatch.StartNew();
        var restart = silo.Restart(crash);
        await Until(() => workers.Sum(w => w.Status("connected")) < terminals / 2, TimeSpan.FromMinutes(3), "the terminals seeing the silo go");
        foreach (var worker in workers)
        {
            await worker.Command("mark");
        }

        var (stopped, healthy) = await restart;
        await Until(() => workers.Sum(w => w.Status("connected")) >= terminals, TimeSpan.FromMinutes(10), "every terminal connected again");
        var connected = clock.Elapsed;
        var connectedCpu = silo.CpuTime;
        await Until(() => workers.Sum(w => w.Status("marked")) >= terminals, TimeSpan.FromMinutes(10), "every terminal counting again");
        var counting = clock.Elapsed;
        var cpu = silo.CpuTime;
        var (exact, drops, note) = await Finish(workers, order);
        return string.Create(CultureInfo.InvariantCulture,
            $"reconnect storm, {terminals:N0} terminals at {rate} readings/s, silo {(crash ? "killed (SIGKILL)" : "stopped cleanly (SIGTERM)")}: " +
            $"stopped in {stopped.TotalSeconds:N1} s, answering /health {healthy.TotalSeconds:N1} s after the stop began; every terminal connected " +
            $"again {connected.TotalSeconds:N1} s and counting {counting.TotalSeconds:N1} s after it (the new silo's CPU: {connectedCpu.TotalSeconds:N1} s by then, " +
            $"{cpu.TotalSeconds:N1} s when all counted, start-up included); exact: {(exact ? "yes" : "NO")}; {note}");
    }

    /// <summary>Stops counting, waits for every latest reading to be acknowledged and compares the counts once the brain applied them.</summary>
    private async Task<(bool Exact, long Drops, string Note)> Finish(List<WorkerProcess> workers, string order)
    {
        var finals = new List<JsonElement>();
        foreach (var worker in workers)
        {
            finals.Add(await worker.Command("stop"));
        }

        var good = finals.SelectMany(f => f.GetProperty("good").EnumerateArray().Select(e => e.GetInt64())).ToArray();
        var unacknowledged = finals.Sum(f => f.GetProperty("unacknowledged").GetInt32());
        long Sum(string field) => finals.Sum(f => f.GetProperty("status").GetProperty(field).GetInt64());

        // Applied means handed to the order grains; the counts show once their batches are in.
        List<string> wrong = [];
        var deadline = Stopwatch.StartNew();
        do
        {
            await Settle();
            wrong = await FleetPlan.Verify(Http, order, good);
        }
        while (wrong.Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(30));

        var note = $"{good.Sum():N0} pieces counted; {unacknowledged} latest readings unacknowledged; refused {Sum("refused")}, rejects {Sum("rejects")}, resyncs {Sum("resyncs")}, server disconnects {Sum("serverDisconnects")}";
        if (wrong.Count > 0)
        {
            note += $"; {wrong.Count} counters differ, e.g. {wrong[0]}";
        }

        return (wrong.Count == 0 && unacknowledged == 0, Sum("drops"), note);
    }

    /// <summary>Waits (a minute at most) until the silos spend under a tenth of a core over two seconds.</summary>
    private async Task Quiet()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            var cpu = ServerCpu();
            await Task.Delay(TimeSpan.FromSeconds(2));
            if ((ServerCpu() - cpu) / TimeSpan.FromSeconds(2) < 0.1)
            {
                return;
            }
        }
    }

    /// <summary>Waits until every silo's ingest has nothing pending.</summary>
    private async Task Settle()
    {
        foreach (var silo in silos)
        {
            await Until(async () => (await silo.Ingest()).Pending == 0, TimeSpan.FromMinutes(5), "the ingest drained");
        }
    }

    /// <summary>An order of a random firm read every 250 ms while the fleet counts: answer times in ms.</summary>
    private async Task<List<double>> SampleApi(string order, int terminals, TimeSpan measure)
    {
        var times = new List<double>();
        var random = new Random(terminals);
        var firms = (terminals + FleetPlan.TerminalsPerFirm - 1) / FleetPlan.TerminalsPerFirm;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < measure)
        {
            var asked = Stopwatch.StartNew();
            using (var answer = await silos[random.Next(silos.Count)].Http.GetAsync($"/api/enterprises/{FleetPlan.Firm(random.Next(firms))}/orders/{order}"))
            {
                await answer.Content.ReadAsByteArrayAsync();
                answer.EnsureSuccessStatusCode();
            }

            times.Add(asked.Elapsed.TotalMilliseconds);
            var rest = TimeSpan.FromMilliseconds(250) - asked.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }

        return times;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * p) - 1)];
    }

    private static Task Until(Func<bool> condition, TimeSpan limit, string what) => Until(() => Task.FromResult(condition()), limit, what);

    private static async Task Until(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"waited {limit.TotalSeconds:N0} s for {what}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Ends the workers of one scenario.</summary>
    private sealed class Workers(List<WorkerProcess> workers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }
}
