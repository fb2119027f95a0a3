// The cockpit benchmark: how long GET /api/cockpit takes as the district grows (10, 100, 1,700
// enterprises by default), and how long a reading published over MQTT takes to show on the cockpit
// stream, idle and under ingest load. It runs a real silo in this process (Kestrel, Orleans, the
// embedded broker, SQLite in a temporary folder) on free loopback ports, and prints figures.
//
//   dotnet run -c Release --project bench/IndustryBrain.Bench.Cockpit -- [--sizes 10,100,1700] [--orders 5]
//       [--requests 500] [--trials 10] [--load 5000]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

var sizes = Arg("--sizes", "10,100,1700").Split(',').Select(int.Parse).ToArray();
var ordersPer = int.Parse(Arg("--orders", "5"), CultureInfo.InvariantCulture);
var requests = int.Parse(Arg("--requests", "500"), CultureInfo.InvariantCulture);
var trials = int.Parse(Arg("--trials", "10"), CultureInfo.InvariantCulture);
var loadRate = int.Parse(Arg("--load", "5000"), CultureInfo.InvariantCulture);
const string Key = "bench-admin-key";
const decimal UnitPrice = 10m;
string[] chainNodes = ["steel", "nonferrous", "mold", "heat-treat", "surface", "packaging", "forging", "stamping", "machining",
    "knives", "scissors", "locks", "tools", "kitchenware", "trading", "ecommerce", "logistics"];

var storage = Path.Combine(Path.GetTempPath(), "ib-bench-cockpit-" + Guid.NewGuid().ToString("N"));
// Terminals publish without credentials, flat out; the cockpit is read as fast as it answers.
var brain = await Brain.Start(new BrainOptions { AdminKey = Key, StoragePath = storage, Settings = ["--Mqtt:PublishesPerSecond=0", "--Http:RequestsPerSecond=0"] });

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{brain.HttpPort}/"), Timeout = TimeSpan.FromMinutes(2) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
var publishers = new List<MqttTerminal>();
for (var i = 0; i < 8; i++)
{
    publishers.Add(await MqttTerminal.ConnectPublisher(brain.MqttPort, "bench", $"bench-cockpit-{i}"));
}

Console.WriteLine($"cockpit benchmark: {Environment.ProcessorCount} cores, {ordersPer} orders per enterprise, {requests} requests per size, silo in this process");
Console.WriteLine();
Console.WriteLine("enterprises  orders  caught up  GET /api/cockpit (sequential)                    body    stream: reading -> event");
Console.WriteLine("                                 mean    p50     p95     p99     max                 p50      max");

// The probe: one enterprise off the map, so its output shows alone on the "other" link of the chain.
await Register("probe", "bench-probe");
await Plan("probe", "P-1");
long probeSeq = 0, probeGood = 0, seq = 0;
var registered = 0;
var rows = new List<string>();
foreach (var size in sizes)
{
    var watch = Stopwatch.StartNew();
    var fresh = Enumerable.Range(registered, size - registered).ToArray();
    await Parallel.ForEachAsync(fresh, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (e, _) =>
    {
        await Register(Enterprise(e), chainNodes[e % chainNodes.Length]);
        for (var o = 0; o < ordersPer; o++)
        {
            await Plan(Enterprise(e), $"O-{o}");
        }
    });
    seq++;
    await Parallel.ForEachAsync(fresh, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) =>
        await Publish(publishers[e % publishers.Count], Enterprise(e), Enumerable.Range(0, ordersPer).Select(o => ($"O-{o}", seq, 10L))));
    registered = size;
    var expectedUnits = (long)size * ordersPer * 10 + probeGood;
    await CockpitOnce(v => (int)v["enterprises"]! == size + 1 && (long)v["outputToday"]!["units"]! == expectedUnits, TimeSpan.FromMinutes(5));
    var caughtUp = watch.Elapsed;

    var (latencies, bytes) = await GetLatencies(requests);
    var stream = await StreamLatencies(trials);
    rows.Add(Row(size, size * ordersPer, caughtUp, latencies, bytes, stream));
    Console.WriteLine(rows[^1]);
}

if (loadRate > 0)
{
    using var stop = new CancellationTokenSource();
    var sent = 0L;
    var load = Task.Run(() => Load(loadRate, stop.Token, n => Interlocked.Add(ref sent, n)));
    await Task.Delay(TimeSpan.FromSeconds(3));
    var (latencies, bytes) = await GetLatencies(requests);
    var stream = await StreamLatencies(trials);
    var seconds = Stopwatch.StartNew();
    var before = Interlocked.Read(ref sent);
    await Task.Delay(TimeSpan.FromSeconds(2));
    var rate = (Interlocked.Read(ref sent) - before) / seconds.Elapsed.TotalSeconds;
    var health = JsonNode.Parse(await http.GetStringAsync("health"))!;
    stop.Cancel();
    await load;
    Console.WriteLine(Row(registered, registered * ordersPer, null, latencies, bytes, stream)
        + $"   under load: {rate:N0} readings/s published, {(long)health["ingest"]!["pending"]!:N0} waiting in the ingest");
}

foreach (var publisher in publishers)
{
    await publisher.DisposeAsync();
}

await brain.DisposeAsync();

return 0;

string Enterprise(int e) => $"bench-{e:0000}";

async Task Register(string enterprise, string chainNode)
{
    var body = "91500111MA" + (enterprise.GetHashCode() & 0x7fffffff).ToString("0000000", CultureInfo.InvariantCulture)[..7];
    var uscc = body + Uscc.CheckCharacter(body);
    var answer = await http.PutAsJsonAsync($"api/enterprises/{enterprise}", new { name = $"大足{enterprise}五金有限公司", uscc, chainNode, park = "龙水五金产业园" });
    answer.EnsureSuccessStatusCode();
}

async Task Plan(string enterprise, string order)
{
    var answer = await http.PutAsJsonAsync($"api/enterprises/{enterprise}/orders/{order}", new
    {
        product = "slaughter knife 8in",
        quantity = 1_000_000,
        unitPrice = UnitPrice,
        due = DateTimeOffset.UtcNow.AddDays(30),
        routing = new[] { new { step = "pack", name = "包装" } },
    });
    answer.EnsureSuccessStatusCode();
}

Task Publish(MqttTerminal publisher, string enterprise, IEnumerable<(string Order, long Seq, long Good)> readings) =>
    publisher.Client.PublishAsync(new MqttApplicationMessageBuilder()
        .WithTopic($"ib/{enterprise}/T1/count")
        .WithPayload(JsonSerializer.Serialize(readings.Select(r => new { order = r.Order, step = "pack", seq = r.Seq, good = r.Good })))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build());

async Task<JsonNode> CockpitOnce(Func<JsonNode, bool> shows, TimeSpan within)
{
    var until = DateTime.UtcNow + within;
    while (true)
    {
        var view = JsonNode.Parse(await http.GetStringAsync("api/cockpit"))!;
        if (shows(view))
        {
            return view;
        }

        if (DateTime.UtcNow > until)
        {
            throw new TimeoutException($"the cockpit did not catch up: {view["enterprises"]} enterprises, {view["outputToday"]}");
        }

        await Task.Delay(250);
    }
}

async Task<(double[] Milliseconds, int Bytes)> GetLatencies(int count)
{
    var bytes = 0;
    for (var i = 0; i < 20; i++)
    {
        bytes = (await http.GetByteArrayAsync("api/cockpit")).Length;
    }

    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        using var answer = await http.GetAsync("api/cockpit");
        await answer.Content.LoadIntoBufferAsync();
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(times);
    return (times, bytes);
}

// Publishes one reading of the probe, then reads the stream until the probe's link shows it.
async Task<double[]> StreamLatencies(int count)
{
    using var stream = await http.GetAsync("api/cockpit/stream", HttpCompletionOption.ResponseHeadersRead);
    using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        probeSeq++;
        probeGood += 7;
        var started = Stopwatch.GetTimestamp();
        await Publish(publishers[0], "probe", [("P-1", probeSeq, probeGood)]);
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(enough.Token) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal)
                && JsonNode.Parse(line[6..])!["chain"]!["nodes"]!.AsArray().FirstOrDefault(n => (string)n!["id"]! == "other") is { } other
                && (long)other["outputToday"]! == probeGood)
            {
                break;
            }
        }

        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await Task.Delay(300);
    }

    Array.Sort(times);
    return times;
}

// Readings at about `rate` a second over every enterprise's orders, five to a message.
async Task Load(int rate, CancellationToken cancellationToken, Action<int> sentReadings)
{
    var good = new long[registered];
    var tick = TimeSpan.FromMilliseconds(20);
    var perTick = Math.Max(1, rate * tick.TotalSeconds / ordersPer);
    var next = 0;
    var clock = Stopwatch.StartNew();
    var due = TimeSpan.Zero;
    while (!cancellationToken.IsCancellationRequested)
    {
        var batch = new List<Task>();
        for (var m = 0; m < perTick; m++)
        {
            var e = next++ % registered;
            good[e] += 3;
            var value = 10 + good[e];
            var s = seq + 1 + good[e];
            batch.Add(Publish(publishers[1 + (m % (publishers.Count - 1))], Enterprise(e), Enumerable.Range(0, ordersPer).Select(o => ($"O-{o}", s, value))));
        }

        await Task.WhenAll(batch);
        sentReadings((int)perTick * ordersPer);
        due += tick;
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

static string Row(int enterprises, int orders, TimeSpan? caughtUp, double[] ms, int bytes, double[] stream) =>
    string.Create(CultureInfo.InvariantCulture,
        $"{enterprises,11:N0}  {orders,6:N0}  {(caughtUp is { } c ? $"{c.TotalSeconds,7:F1} s" : "   load  ")}  {ms.Average(),5:F2}  {P(ms, 0.5),6:F2}  {P(ms, 0.95),6:F2}  {P(ms, 0.99),6:F2}  {ms[^1],6:F2} ms  {bytes,7:N0} B  {P(stream, 0.5),7:F0}  {stream[^1],7:F0} ms");

static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

static string Arg(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
