// The identifier node's benchmark: allocation time of 1,000,000 codes (one range, over HTTP), resolutions per
// second with p50/p99 latency (GET /api/handles/... with the verification code, many connections, for a fixed
// time), and the memory and storage that 800 million assigned codes take (1,700 firms x 26 orders x 18,225 codes,
// allocated through the grains). It runs a real silo in this process (Kestrel, Orleans, SQLite in a temporary
// folder) on free loopback ports; the HTTP load comes from this process too, so it shares the cores.
//
//   dotnet run -c Release --project bench/IndustryBrain.Bench.Codes -- [--seconds 20] [--warmup 30] [--connections 32]
//       [--firms 1700] [--orders 26] [--per-order 18225] [--allocations 5]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using IndustryBrain;
using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var seconds = int.Parse(Arg("--seconds", "20"), CultureInfo.InvariantCulture);
var connections = int.Parse(Arg("--connections", "32"), CultureInfo.InvariantCulture);
var warmup = int.Parse(Arg("--warmup", "30"), CultureInfo.InvariantCulture);
var firms = int.Parse(Arg("--firms", "1700"), CultureInfo.InvariantCulture);
var ordersPerFirm = int.Parse(Arg("--orders", "26"), CultureInfo.InvariantCulture);
var perOrder = long.Parse(Arg("--per-order", "18225"), CultureInfo.InvariantCulture);
var allocations = int.Parse(Arg("--allocations", "5"), CultureInfo.InvariantCulture);
const string Key = "bench-admin-key";

var storage = Path.Combine(Path.GetTempPath(), "ib-bench-codes-" + Guid.NewGuid().ToString("N"));
// Resolutions come from one address as fast as they are answered: no rate limits.
var brain = await Brain.Start(new BrainOptions { AdminKey = Key, StoragePath = storage, Settings = ["--Http:RequestsPerSecond=0", "--Http:AnonymousRequestsPerSecond=0", "--Codes:MaxPerRequest=10000000"] });
Console.WriteLine($"identifier node benchmark: {Environment.ProcessorCount} cores, silo and load in this process, SQLite in {storage}");

try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = new Uri($"http://127.0.0.1:{brain.HttpPort}/"), Timeout = TimeSpan.FromMinutes(5) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    await Ok(await http.PutAsJsonAsync("api/enterprises/bench-firm", new { name = "重庆桥丰五金制造有限公司", uscc = Uscc(1) }));
    var prefix = (string)JsonNode.Parse(await Ok(await http.PutAsync("api/enterprises/bench-firm/prefix", null)))!["prefix"]!;
    await Ok(await http.PostAsync($"api/prefixes/{prefix}/approve", null));

    // 1. Allocation of 1,000,000 codes: one range record, whatever the count.
    var times = new List<double>();
    for (var i = 0; i < allocations; i++)
    {
        var watch = Stopwatch.StartNew();
        await Ok(await http.PostAsJsonAsync("api/enterprises/bench-firm/codes", Request($"MILLION-{i}", 1_000_000)));
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"allocation of 1,000,000 codes over HTTP: median {times[times.Count / 2]:F1} ms, max {times[^1]:F1} ms ({allocations} allocations)");

    // 2. Resolution: random codes of a 100,000-code range, each with its printed verification code.
    await Ok(await http.PostAsJsonAsync("api/enterprises/bench-firm/codes", Request("QF-2611-0042", 100_000)));
    var export = Stopwatch.StartNew();
    var lines = (await http.GetStringAsync("api/enterprises/bench-firm/codes/QF-2611-0042/1/export")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
        .Select(l => l.Split(',')).Select(f => $"api/handles/{f[0]}?v={f[2]}").ToArray();
    Console.WriteLine($"export of 100,000 codes (CSV with verification codes and URLs): {export.Elapsed.TotalMilliseconds:F0} ms");
    using var anonymous = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = http.BaseAddress };
    // Warm up until the silo's and the client's code is compiled at its final tier (a fresh process spends its
    // first tens of seconds re-compiling hot methods, instrumented first: measured here, that is the start-up's cost).
    await Load(_ => ".well-known/gs1resolver", warmup / 4.0, null);
    await Load(random => lines[random.Next(lines.Length)], warmup * 3 / 4.0, null);

    {
        // The HTTP stack alone (no grain call): the same load on /.well-known/gs1resolver.
        var baseCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (count, _, _) = await Load(_ => ".well-known/gs1resolver", 5, null);
        Console.WriteLine($"baseline (no grain call): {count / 5.0:N0}/s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - baseCpu).TotalMicroseconds / count:N0} µs per request");
    }

    var latencies = new List<double>[connections];
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var (_, failures, elapsed) = await Load(random => lines[random.Next(lines.Length)], seconds, latencies);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    Console.WriteLine($"resolutions: {all.Length / elapsed.TotalSeconds:N0}/s over {elapsed.TotalSeconds:F0} s with {connections} connections (after {warmup} s of warm-up); " +
        $"p50 {all[all.Length / 2]:F2} ms, p99 {all[(int)(all.Length * 0.99)]:F2} ms, max {all[^1]:F1} ms; {failures} not 200");

    // The same load from every connection for a while: requests answered, not 200, time taken; latencies per connection if asked.
    async Task<(int Count, int Failures, TimeSpan Elapsed)> Load(Func<Random, string> path, double forSeconds, List<double>[]? latencies)
    {
        var count = 0;
        var failures = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(forSeconds * Stopwatch.Frequency);
        var run = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies is null ? null : latencies[c] = new List<double>(200_000);
            var random = new Random(c);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var started = Stopwatch.GetTimestamp();
                using var answer = await anonymous.GetAsync(path(random), HttpCompletionOption.ResponseContentRead);
                mine?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref count);
                if (answer.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        return (count, failures, run.Elapsed);
    }

    Console.WriteLine($"  CPU per resolution, silo and client together: {cpu.TotalMicroseconds / all.Length:N0} µs " +
        $"(so {Environment.ProcessorCount} free cores would answer about {Environment.ProcessorCount * 1e6 / (cpu.TotalMicroseconds / all.Length):N0}/s); load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

    // 3. 800 million codes: ranges through the grains (what POST .../codes does after its checks).
    var grains = brain.Services.GetRequiredService<IGrainFactory>();
    var registry = grains.GetGrain<ICodeRegistryGrain>(Keys.District);
    var limits = new CodeLimits(10_000_000, 1_000_000_000);
    var ranges = firms * ordersPerFirm;
    GC.Collect(2, GCCollectionMode.Forced, true, true);
    var heapBefore = GC.GetTotalMemory(true);
    var storeBefore = FolderBytes(storage);
    var fill = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, firms), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (firm, _) =>
    {
        var enterprise = $"firm-{firm:D4}";
        var p = await registry.PrefixFor(enterprise);
        var grain = grains.GetGrain<ICodePrefixGrain>(p);
        await grain.Apply(enterprise);
        await grain.Decide("approve", null);
        for (var o = 0; o < ordersPerFirm; o++)
        {
            var request = new CodeRequest($"ORD-{o:D3}", perOrder, "knives", 1, "slaughter knife 8in",
                new() { ["bladeSteel"] = "5Cr15MoV", ["bladeLength"] = "200" }, null, null);
            var outcome = await grain.Allocate(request, CodeTemplates.Knives, limits);
            if (outcome.Range is null)
            {
                throw new InvalidOperationException($"{outcome.Reason}: {outcome.Detail}");
            }
        }
    });
    var fillTime = fill.Elapsed;
    // What the prefixes' and the orders' grains store (the grains flush their last scan counts on their own; their
    // allocations were saved before each answer), read from the embedded store's own file.
    var stored = new Dictionary<string, (long Rows, long Bytes)>();
    using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(storage, "industry-brain.db")};Mode=ReadOnly;Pooling=false"))
    {
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT substr(name, instr(name, ':') + 1), count(*), sum(length(state)) FROM grain_state GROUP BY 1";
        using var rows = query.ExecuteReader();
        while (rows.Read())
        {
            stored[rows.GetString(0)] = (rows.GetInt64(1), rows.GetInt64(2));
        }
    }

    GC.Collect(2, GCCollectionMode.Forced, true, true);
    var heapAfter = GC.GetTotalMemory(true);
    var codes = ranges * perOrder;
    var heap = heapAfter - heapBefore;
    Console.WriteLine($"{codes:N0} codes assigned as {ranges:N0} ranges of {firms:N0} firms in {fillTime.TotalSeconds:F0} s " +
        $"({ranges / fillTime.TotalSeconds:N0} allocations/s, each saved in SQLite)");
    var prefixes = stored.GetValueOrDefault("prefix");
    var batches = stored.GetValueOrDefault("batch");
    Console.WriteLine($"  stored (JSON): the orders' ranges {batches.Bytes / 1048576.0:F1} MB in {batches.Rows:N0} order grains " +
        $"({batches.Bytes / (double)ranges:N0} bytes per range); the prefixes (catalogue, orders, totals) {prefixes.Bytes / 1048576.0:F1} MB in {prefixes.Rows:N0} " +
        $"({prefixes.Bytes / (double)ranges:N0} bytes per order); together {(batches.Bytes + prefixes.Bytes) / 1048576.0:F1} MB");
    Console.WriteLine($"  managed heap with every prefix and order grain active: +{heap / 1048576.0:F1} MB ({heap / (double)ranges:N0} bytes per range, " +
        $"grain activations included); SQLite grew by {(FolderBytes(storage) - storeBefore) / 1048576.0:F1} MB");
}
finally
{
    await brain.DisposeAsync();
}

static object Request(string order, long quantity) => new
{
    order,
    quantity,
    template = "knives",
    product = "slaughter knife 8in",
    attributes = new { bladeSteel = "5Cr15MoV", bladeLength = "200" },
};

static async Task<string> Ok(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
}

static string Uscc(int n)
{
    var body = $"91500111{n:D9}";
    return body + IndustryBrain.Domain.Uscc.CheckCharacter(body);
}

static long FolderBytes(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
