using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MQTTnet.Protocol;

namespace IndustryBrain.Bench;

/// <summary>One line of the summary table.</summary>
public sealed record Row(string Phase, string Work, string Time, string Rate, string Target, string Verdict, string Counts, string Load);

/// <summary>
/// The phases: the bare broker's baseline, the brain at one reading per message, the brain with
/// 100-reading arrays, and the silo's memory with many orders active; then the summary table.
/// </summary>
public sealed class BenchRun(Settings settings)
{
    private const double RatioTarget = 0.80;
    private const double ArrayTarget = 150_000;
    private const long BytesPerOrderTarget = 8 * 1024;
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    private readonly List<Row> _rows = [];
    private bool _failed;

    public async Task<int> Run()
    {
        Console.WriteLine($"IndustryBrain bench{(settings.Quick ? " (quick)" : "")}: {Environment.ProcessorCount} cores, " +
            $"{settings.Connections} connections x {settings.Lanes} lanes, QoS 1, load {Load()}");
        var siloDll = settings.Silo ?? BenchBrain.DefaultSiloPath();
        Console.WriteLine($"silo: {siloDll}{(settings.GcServer is { } gc ? $" (DOTNET_gcServer={gc})" : "")}" +
            string.Concat(settings.SiloEnvironment.Select(e => $" {e.Key}={e.Value}")));

        if (settings.Phases.Overlaps(["baseline", "single", "arrays"]))
        {
            await Guarded("rate", () => RatePhases(siloDll));
        }

        if (settings.Phases.Contains("memory"))
        {
            await Guarded("memory", () => Memory(siloDll));
        }

        Summary();
        return _failed ? 1 : 0;
    }

    private async Task Guarded(string phase, Func<Task> run) => await Guarded<bool>(phase, async () =>
    {
        await run();
        return true;
    });

    /// <summary>Runs a phase; a phase that throws is reported, marks the run failed, and answers null.</summary>
    private async Task<T?> Guarded<T>(string phase, Func<Task<T>> run)
        where T : struct
    {
        try
        {
            return await run();
        }
        catch (Exception e)
        {
            _failed = true;
            var inner = e;
            while (inner.InnerException is not null)
            {
                inner = inner.InnerException;
            }

            Console.WriteLine($"!! {phase} failed: {e.GetType().Name}: {e.Message}{(inner != e ? $" ({inner.GetType().Name}: {inner.Message})" : "")}");
            _rows.Add(new Row(phase, "", "", "", "", "FAILED", e.Message.Length > 40 ? e.Message[..40] : e.Message, Load()));
            return null;
        }
    }

    /// <summary>
    /// The baseline and the brain at one reading per message run in alternating rounds (baseline, brain,
    /// baseline, brain...), each against its own long-lived process, so that a load that drifts on a shared
    /// machine touches both alike; the verdict is on the median of the rounds' ratios. Then the arrays.
    /// </summary>
    private async Task RatePhases(string siloDll)
    {
        var baseline = settings.Phases.Contains("baseline");
        var single = settings.Phases.Contains("single");
        var arrays = settings.Phases.Contains("arrays");
        await using BareBroker.Child? broker = baseline ? await BareBroker.Child.Start((MqttQualityOfServiceLevel)settings.BaselineQos) : null;
        await using BenchBrain? silo = single || arrays ? await BenchBrain.Start(siloDll, settings.GcServer, settings.SiloEnvironment) : null;
        if (broker is not null)
        {
            Console.WriteLine($"\n== baseline: bare MQTTnet.Server (pid of its own), subscriber QoS {settings.BaselineQos} on ib/#, port {broker.Port}");
            var warm = await WarmUp(broker.Port);
            while (await broker.Received() < warm)
            {
                await Task.Delay(10);
            }
        }

        if (silo is not null)
        {
            Console.WriteLine($"== brain: silo pid {silo.ProcessId}, MQTT port {silo.MqttPort}");
            await Register(silo, settings.RateEnterprises);
            await WarmUp(silo.MqttPort);
        }

        var ratios = new List<double>();
        for (var round = 1; round <= (single ? settings.Rounds : 1); round++)
        {
            double? baselineRate = null;
            if (broker is not null)
            {
                if (silo is not null)
                {
                    await Quiet(silo);
                }

                baselineRate = await Guarded($"baseline #{round}", () => Baseline(broker, round));
            }

            if (silo is not null && single)
            {
                var plant = new Plant($"S{round}", settings.RateEnterprises, settings.RateOrdersPerEnterprise, 1);
                var rate = await Guarded($"brain 1/msg #{round}", () => Rate(silo, plant, 1, settings.SingleRounds, $"brain, 1 reading/msg #{round}", baselineRate));
                if (rate is { } r && baselineRate is { } b)
                {
                    ratios.Add(r / b);
                }
            }
        }

        if (ratios.Count > 0)
        {
            ratios.Sort();
            var median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[(ratios.Count / 2) - 1] + ratios[ratios.Count / 2]) / 2;
            var all = string.Join(", ", ratios.Select(r => r.ToString("P0", CultureInfo.InvariantCulture)));
            Console.WriteLine($"\n== brain / bare broker at 1 reading per message: median {median:P1} of {ratios.Count} rounds ({all})");
            _rows.Add(new Row("brain / baseline, median", $"{ratios.Count} rounds", "", $"{median:P1}", $">= {RatioTarget:P0}",
                median >= RatioTarget ? "met" : "MISSED", all, ""));
        }

        if (silo is not null && arrays)
        {
            await Quiet(silo);
            var plant = new Plant("A", settings.RateEnterprises, settings.RateOrdersPerEnterprise, 1);
            await Guarded("brain 100/msg", () => Rate(silo, plant, settings.ArrayReadings, settings.ArrayRounds, "brain, 100/msg", null));
        }
    }

    /// <summary>The same publisher into a bare MQTTnet.Server with one do-nothing subscriber; answers msgs/s end to end.</summary>
    private async Task<double> Baseline(BareBroker.Child broker, int round)
    {
        var plant = new Plant($"B{round}", settings.RateEnterprises, settings.RateOrdersPerEnterprise, 1);
        var terminals = Terminals.Deal(plant, settings.Connections, settings.Lanes, settings.SingleRounds);
        var load = Load();
        Console.WriteLine($"\n== baseline #{round}: {terminals.Readings:N0} messages of 1 reading from {terminals.Connections} connections into the bare broker");
        var warm = await broker.Received();
        var gcBefore = await broker.Gc();
        var cpu = new CpuMeter(() => broker.CpuTime);
        var clock = new Stopwatch();
        var published = await Publisher.Run(broker.Port, terminals, 1, plant.OrderPrefix, clock);
        var lastCount = -1L;
        var lastChange = Stopwatch.StartNew();
        long delivered;
        while ((delivered = await broker.Received() - warm) < published.Messages)
        {
            if (delivered != lastCount)
            {
                lastCount = delivered;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > Stall)
            {
                break;
            }

            await Task.Delay(5);
        }

        var endToEnd = clock.Elapsed;
        var brokerCpu = cpu.Other;
        var benchCpu = cpu.Self;
        var gc = await broker.Gc() - gcBefore;
        var rate = delivered / endToEnd.TotalSeconds;
        var exact = delivered == published.Messages && published.Refused == 0;
        Console.WriteLine($"   published {published.Messages:N0} (PUBACKed in {published.Elapsed.TotalSeconds:F2} s = {published.Messages / published.Elapsed.TotalSeconds:N0} msgs/s)");
        Console.WriteLine($"   delivered {delivered:N0} to the subscriber in {endToEnd.TotalSeconds:F2} s = {rate:N0} msgs/s end to end");
        Console.WriteLine($"   CPU: broker process {brokerCpu:F1} s ({brokerCpu * 1e6 / published.Messages:F1} µs/msg), bench (publisher) {benchCpu:F1} s; " +
            $"broker allocated {gc.AllocatedBytes / (double)published.Messages:N0} B/msg, GCs gen0/1/2 {gc.Gen0}/{gc.Gen1}/{gc.Gen2}, " +
            $"pauses {gc.PauseMs:N0} ms; load {load} -> {Load()}");
        if (!exact)
        {
            _failed = true;
        }

        _rows.Add(new Row($"baseline #{round}: bare broker", $"{published.Messages:N0} msgs", $"{endToEnd.TotalSeconds:F2} s", $"{rate:N0} msg/s",
            "(reference)", "", exact ? "exact" : $"{delivered:N0}/{published.Messages:N0}", $"{load} -> {Load()}"));
        return rate;
    }

    /// <summary>
    /// 20,000 single-reading messages and 200,000 readings in arrays of a small plant of its own, so the
    /// broker's and the ingest's code reaches its final tier (tiered JIT, dynamic PGO) before the clock
    /// runs (with a tenth of this the first round was often markedly slower). Its orders are never planned nor checked.
    /// </summary>
    private async Task<long> WarmUp(int port)
    {
        var id = "W" + Guid.NewGuid().ToString("N")[..6];
        var single = new Plant(id + "s", settings.RateEnterprises, 40, 1);
        var arrays = new Plant(id + "a", settings.RateEnterprises, 40, 1);
        var one = await Publisher.Run(port, Terminals.Deal(single, settings.Connections, settings.Lanes, settings.Quick ? 2 : 10), 1, single.OrderPrefix, new Stopwatch());
        var many = await Publisher.Run(port, Terminals.Deal(arrays, settings.Connections, settings.Lanes, 100), 100, arrays.OrderPrefix, new Stopwatch());
        await Task.Delay(TimeSpan.FromSeconds(1));
        return one.Messages + many.Messages;
    }

    private static async Task Register(BenchBrain silo, int enterprises)
    {
        await Parallel.ForAsync(0, enterprises, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (e, _) => await silo.RegisterEnterprise(e));
    }

    private static async Task<TimeSpan> PlanAll(BenchBrain silo, Plant plant)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0L, plant.Orders, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await silo.PlanOrder(plant, (int)(i / plant.OrdersPerEnterprise), (int)(i % plant.OrdersPerEnterprise)));
        return clock.Elapsed;
    }

    /// <summary>One rate phase: plan every order, publish, wait until /health shows every reading applied, verify every order.</summary>
    private async Task<double> Rate(BenchBrain silo, Plant plant, int readingsPerMessage, int rounds, string phase, double? baselineRate)
    {
        var planned = await PlanAll(silo, plant);
        var terminals = Terminals.Deal(plant, settings.Connections, settings.Lanes, rounds);
        var readings = terminals.Readings;
        Console.WriteLine($"\n== {phase}: {plant.Orders:N0} orders planned in {planned.TotalSeconds:F1} s; " +
            $"{readings:N0} readings, {readingsPerMessage} per message, from {terminals.Connections} connections");
        var load = Load();
        var heapBefore = await silo.CollectGarbage();
        var archiveBefore = await silo.Archive();
        var before = await silo.Ingest();
        var cpu = new CpuMeter(() => silo.CpuTime);
        var clock = new Stopwatch();
        Published published;
        IngestFigures after;
        TimeSpan endToEnd;
        long maxPending;
        using (var watch = new PendingWatch(silo))
        {
            published = await Publisher.Run(silo.MqttPort, terminals, readingsPerMessage, plant.OrderPrefix, clock);
            (after, endToEnd) = await WaitApplied(silo, before, published.Readings, clock);
            maxPending = watch.MaxPending;
        }

        var siloCpu = cpu.Other;
        var benchCpu = cpu.Self;
        var heapAfter = await silo.CollectGarbage();
        var gc = heapAfter.Before - heapBefore.After;

        var rate = (after.Settled - before.Settled) / endToEnd.TotalSeconds;
        Console.WriteLine($"   published {published.Messages:N0} messages (PUBACKed in {published.Elapsed.TotalSeconds:F2} s = " +
            $"{published.Messages / published.Elapsed.TotalSeconds:N0} msgs/s){(published.Refused > 0 ? $", {published.Refused:N0} refused: {published.FirstRefusal}" : "")}");
        Console.WriteLine($"   applied {after.Applied - before.Applied:N0} + duplicates {after.Duplicates - before.Duplicates:N0} " +
            $"(rejected {after.Rejected - before.Rejected:N0}, failed {after.Failed - before.Failed:N0}) in {endToEnd.TotalSeconds:F2} s = {rate:N0} readings/s end to end");
        Console.WriteLine($"   ingest queue: at most {maxPending:N0} readings pending (sampled each 250 ms)");
        Console.WriteLine($"   CPU: silo {siloCpu:F1} s ({siloCpu * 1e6 / readings:F1} µs/reading), bench (publisher) {benchCpu:F1} s; " +
            $"silo allocated {gc.AllocatedBytes / (double)readings:N0} B/reading, GCs gen0/1/2 {gc.Gen0}/{gc.Gen1}/{gc.Gen2}, " +
            $"pauses {gc.PauseMs:N0} ms; load {load} -> {Load()}");

        var archived = archiveBefore.Off ? (bool?)null : await WaitArchived(silo, archiveBefore, readings, clock, endToEnd);
        var all = Enumerable.Range(0, plant.Enterprises).SelectMany(e => Enumerable.Range(0, plant.OrdersPerEnterprise).Select(o => (e, o)));
        var (checkedOrders, mismatches) = await Verify(silo, terminals, all);
        var exact = mismatches.Count == 0 && after.Applied - before.Applied == readings && published.Refused == 0 && archived != false;
        Console.WriteLine($"   counts of all {checkedOrders:N0} orders: {(exact ? "exact" : $"{mismatches.Count:N0} mismatches")}");
        foreach (var m in mismatches.Take(10))
        {
            Console.WriteLine("     " + m);
        }

        if (!exact)
        {
            _failed = true;
        }

        string target, verdict;
        if (readingsPerMessage == 1)
        {
            var ratio = baselineRate is { } b ? rate / b : double.NaN;
            target = $">= {RatioTarget:P0} of baseline";
            verdict = double.IsNaN(ratio) ? "no baseline" : $"{ratio:P0} {(ratio >= RatioTarget ? "met" : "MISSED")}";
            Console.WriteLine($"   ratio to the bare broker: {(double.IsNaN(ratio) ? "no baseline run" : ratio.ToString("P1", CultureInfo.InvariantCulture))}");
        }
        else
        {
            target = $">= {ArrayTarget:N0}/s";
            verdict = rate >= ArrayTarget ? "met" : "MISSED";
        }

        _rows.Add(new Row(phase, $"{readings:N0} readings", $"{endToEnd.TotalSeconds:F2} s", $"{rate:N0} rdg/s", target, verdict,
            exact ? $"exact ({checkedOrders:N0}){(archived == true ? ", archived" : "")}" : archived == false ? "not all archived" : $"{mismatches.Count:N0} wrong",
            $"{load} -> {Load()}"));
        return rate;
    }

    /// <summary>
    /// Polls /health until the archive's queue is empty, then says how many of the phase's readings were written and how
    /// many were not archived (its queue full): answers whether every one was archived.
    /// </summary>
    private static async Task<bool> WaitArchived(BenchBrain silo, ArchiveFigures before, long readings, Stopwatch clock, TimeSpan applied)
    {
        var lastChange = Stopwatch.StartNew();
        var last = before;
        var now = await silo.Archive();
        var (mostQueued, mostSpooled) = (now.Queued, now.SpooledBytes);
        while (now.Queued > 0 || now.ReadingsWritten - before.ReadingsWritten + now.NotArchived - before.NotArchived < readings)
        {
            (mostQueued, mostSpooled) = (Math.Max(mostQueued, now.Queued), Math.Max(mostSpooled, now.SpooledBytes));
            if (now != last)
            {
                last = now;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > Stall)
            {
                Console.WriteLine($"   archive ({now.State}): stalled with {now.Queued:N0} queued");
                return false;
            }

            await Task.Delay(10);
            now = await silo.Archive();
        }

        var written = now.ReadingsWritten - before.ReadingsWritten;
        var lost = now.NotArchived - before.NotArchived;
        var done = clock.Elapsed;
        Console.WriteLine($"   archive: {written:N0} readings written, {lost:N0} not archived; caught up {(done - applied).TotalSeconds:F2} s after the last " +
            $"was applied = {written / done.TotalSeconds:N0} readings/s archived end to end; at most {mostQueued:N0} records waiting, " +
            $"{mostSpooled / 1048576.0:N1} MB of them spooled on disk (sampled after the last was applied)");
        return lost == 0 && written >= readings;
    }

    /// <summary>Polls /health until every reading sent is received and settled and nothing is pending.</summary>
    private static async Task<(IngestFigures After, TimeSpan EndToEnd)> WaitApplied(BenchBrain silo, IngestFigures before, long readings, Stopwatch clock)
    {
        var lastChange = Stopwatch.StartNew();
        var last = before;
        while (true)
        {
            var now = await silo.Ingest();
            if (now.Received - before.Received >= readings && now.Settled - before.Settled >= readings && now.Pending == 0)
            {
                return (now, clock.Elapsed);
            }

            if (now != last)
            {
                last = now;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > Stall)
            {
                throw new TimeoutException($"the ingest stalled: received {now.Received - before.Received:N0}, settled {now.Settled - before.Settled:N0} " +
                    $"of {readings:N0}, pending {now.Pending:N0}");
            }

            await Task.Delay(10);
        }
    }

    private static async Task<(long Checked, List<string> Mismatches)> Verify(BenchBrain silo, Terminals terminals, IEnumerable<(int E, int O)> orders)
    {
        var (good, scrap) = terminals.Expected();
        var plant = terminals.Plant;
        var mismatches = new ConcurrentQueue<string>();
        long checkedOrders = 0;
        await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (order, _) =>
        {
            var (e, o) = order;
            var steps = await silo.StepCounts(plant, e, o);
            Interlocked.Increment(ref checkedOrders);
            var name = $"{Plant.EnterpriseId(e)}/{plant.OrderId(o)}";
            if (steps is null)
            {
                mismatches.Enqueue($"{name}: not found");
                return;
            }

            for (var s = 0; s < Plant.Steps; s++)
            {
                var at = terminals.Index(e, o, s);
                var step = Plant.Routing[s].Step;
                if (!steps.TryGetValue(step, out var shown))
                {
                    mismatches.Enqueue($"{name} {step}: missing, expected good {good[at]} scrap {scrap[at]}");
                }
                else if (shown.Good != good[at] || shown.Scrap != scrap[at])
                {
                    mismatches.Enqueue($"{name} {step}: good {shown.Good} scrap {shown.Scrap}, expected {good[at]} and {scrap[at]}");
                }
            }

            if (steps.Count != Plant.Steps)
            {
                mismatches.Enqueue($"{name}: {steps.Count} steps shown, expected {Plant.Steps}");
            }
        });
        return (checkedOrders, [.. mismatches]);
    }

    /// <summary>Many orders active at once: the silo's live heap before and after, per order.</summary>
    private async Task Memory(string siloDll)
    {
        var plant = new Plant("M", settings.MemoryEnterprises, settings.MemoryOrdersPerEnterprise, settings.MemoryTerminalsPerStep);
        await using var silo = await BenchBrain.Start(siloDll, settings.GcServer, settings.SiloEnvironment);
        var load = Load();
        Console.WriteLine($"\n== memory: {plant.Orders:N0} orders of {plant.Enterprises:N0} enterprises, {Plant.Steps} steps x " +
            $"{plant.TerminalsPerStep} terminals per step, {(settings.PlanMemoryOrders ? "planned over HTTP" : "unplanned (readings only)")}; silo pid {silo.ProcessId}");
        await Register(silo, plant.Enterprises);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the enterprises' first save
        var empty = await silo.CollectGarbage();
        Console.WriteLine($"   before: live heap {BenchBrain.Bytes(empty.LiveBytes)} B, working set {BenchBrain.Bytes(empty.WorkingSetBytes)} B");

        HeapFigures? plannedHeap = null;
        if (settings.PlanMemoryOrders)
        {
            var planned = await PlanAll(silo, plant);
            await Quiet(silo);
            plannedHeap = await silo.CollectGarbage();
            Console.WriteLine($"   planned {plant.Orders:N0} orders in {planned.TotalSeconds:F1} s ({plant.Orders / planned.TotalSeconds:N0}/s); " +
                $"live heap {BenchBrain.Bytes(plannedHeap.Value.LiveBytes)} B = {(plannedHeap.Value.LiveBytes - empty.LiveBytes) / (double)plant.Orders:N0} B/order with plans only");
        }

        var terminals = Terminals.Deal(plant, settings.Connections, 2, readingsPerCounter: 1);
        var readings = terminals.Readings;
        var before = await silo.Ingest();
        var clock = new Stopwatch();
        var published = await Publisher.Run(silo.MqttPort, terminals, settings.ArrayReadings, "mem", clock);
        var (after, endToEnd) = await WaitApplied(silo, before, published.Readings, clock);
        Console.WriteLine($"   {readings:N0} readings ({readings / plant.Orders} per order, in arrays of {settings.ArrayReadings}) applied in " +
            $"{endToEnd.TotalSeconds:F1} s = {(after.Settled - before.Settled) / endToEnd.TotalSeconds:N0} readings/s, activations included");
        var (quietAfter, quietCpu) = await Quiet(silo);
        Console.WriteLine($"   after the last reading the silo worked {quietAfter.TotalSeconds:F0} s more ({quietCpu:F1} CPU-s: saves and roll-ups) before going quiet");
        var active = await silo.CollectGarbage();
        var perOrder = (active.LiveBytes - empty.LiveBytes) / (double)plant.Orders;
        var workingSetPerOrder = (active.WorkingSetBytes - empty.WorkingSetBytes) / (double)plant.Orders;
        Console.WriteLine($"   after: live heap {BenchBrain.Bytes(active.LiveBytes)} B, GC heap {BenchBrain.Bytes(active.GcHeapBytes)} B, " +
            $"working set {BenchBrain.Bytes(active.WorkingSetBytes)} B");
        Console.WriteLine($"   per active order: {perOrder:N0} B live heap, {workingSetPerOrder:N0} B working set");

        var random = new Random(2611);
        var sample = new HashSet<(int, int)>();
        while (sample.Count < Math.Min(settings.MemorySample, plant.Orders))
        {
            sample.Add((random.Next(plant.Enterprises), random.Next(plant.OrdersPerEnterprise)));
        }

        var (checkedOrders, mismatches) = await Verify(silo, terminals, sample);
        var exact = mismatches.Count == 0 && after.Applied - before.Applied == readings && published.Refused == 0;
        Console.WriteLine($"   counts of {checkedOrders:N0} sampled orders: {(exact ? "exact" : $"{mismatches.Count:N0} mismatches")}");
        foreach (var m in mismatches.Take(10))
        {
            Console.WriteLine("     " + m);
        }

        if (!exact)
        {
            _failed = true;
        }

        _rows.Add(new Row($"memory, {(settings.PlanMemoryOrders ? "planned" : "unplanned")}", $"{plant.Orders:N0} orders",
            $"{endToEnd.TotalSeconds:F1} s", $"{perOrder:N0} B/order", $"<= {BytesPerOrderTarget:N0} B/order",
            perOrder <= BytesPerOrderTarget ? "met" : "MISSED", exact ? $"exact ({checkedOrders:N0})" : $"{mismatches.Count:N0} wrong", $"{load} -> {Load()}"));
    }

    /// <summary>Waits until the silo's CPU use falls under a tenth of a core (grains flushed, timers quiet), at most a minute.</summary>
    private static async Task<(TimeSpan Took, double CpuSeconds)> Quiet(BenchBrain silo)
    {
        var clock = Stopwatch.StartNew();
        var first = silo.CpuTime;
        var last = first;
        await Task.Delay(TimeSpan.FromSeconds(1));
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = silo.CpuTime;
            if ((now - last).TotalSeconds < 0.1)
            {
                return (clock.Elapsed - TimeSpan.FromSeconds(1), (last - first).TotalSeconds);
            }

            last = now;
        }

        return (clock.Elapsed, (last - first).TotalSeconds);
    }

    private void Summary()
    {
        Console.WriteLine();
        Console.WriteLine("Summary (load = 1-minute load average at start -> end of the phase, on a shared machine)");
        string[] header = ["phase", "work", "time", "rate", "target", "verdict", "counts", "load"];
        var cells = _rows.Select(r => new[] { r.Phase, r.Work, r.Time, r.Rate, r.Target, r.Verdict, r.Counts, r.Load }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Select(c => c[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(string[] c) => "| " + string.Join(" | ", c.Select((v, i) => v.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var c in cells)
        {
            Console.WriteLine(Line(c));
        }
    }

    private static string Load()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>CPU seconds used since creation by this process and by another one.</summary>
    private sealed class CpuMeter(Func<TimeSpan> other)
    {
        private readonly TimeSpan _self = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly TimeSpan _other = other();

        public double Self => (Process.GetCurrentProcess().TotalProcessorTime - _self).TotalSeconds;

        public double Other => (other() - _other).TotalSeconds;
    }

    /// <summary>Samples the ingest's pending readings while a phase runs.</summary>
    private sealed class PendingWatch : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _max;

        public PendingWatch(BenchBrain silo)
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var pending = (await silo.Ingest()).Pending;
                        if (pending > Interlocked.Read(ref _max))
                        {
                            Interlocked.Exchange(ref _max, pending);
                        }

                        await Task.Delay(250, _stop.Token);
                    }
                    catch (Exception)
                    {
                        // Stopping, or a slow answer: the next sample will do.
                    }
                }
            });
        }

        public long MaxPending => Interlocked.Read(ref _max);

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }
    }
}
