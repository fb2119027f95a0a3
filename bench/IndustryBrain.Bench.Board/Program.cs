// The dispatch board benchmark: one firm with 500 active orders (six steps each) and 200 terminals, on a real
// silo in this process (Kestrel, Orleans, the embedded broker, SQLite in a temporary folder). It prints how long
// GET /api/enterprises/{e}/board takes, how big the board and one stream event are, and how long a reading
// published over MQTT takes to show on the board's stream, idle and while the firm's terminals count.
//
//   dotnet run -c Release --project bench/IndustryBrain.Bench.Board -- [--orders 500] [--terminals 200]
//       [--requests 300] [--trials 10] [--load 1000]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Silo.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

var orders = int.Parse(Arg("--orders", "500"), CultureInfo.InvariantCulture);
var terminals = int.Parse(Arg("--terminals", "200"), CultureInfo.InvariantCulture);
var requests = int.Parse(Arg("--requests", "300"), CultureInfo.InvariantCulture);
var trials = int.Parse(Arg("--trials", "10"), CultureInfo.InvariantCulture);
var loadRate = int.Parse(Arg("--load", "1000"), CultureInfo.InvariantCulture);
const string Key = "bench-admin-key";
const string Firm = "bench-firm";
string[] steps = ["blank", "forge", "heat-treat", "rough-grind", "polish", "pack"];

var storage = Path.Combine(Path.GetTempPath(), "ib-bench-board-" + Guid.NewGuid().ToString("N"));
var brain = await Brain.Start(new BrainOptions { AdminKey = Key, StoragePath = storage, Settings = ["--Mqtt:PublishesPerSecond=0", "--Http:RequestsPerSecond=0"] });

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{brain.HttpPort}/"), Timeout = TimeSpan.FromMinutes(2) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
var publishers = new List<MqttTerminal>();
for (var i = 0; i < 8; i++)
{
    publishers.Add(await MqttTerminal.ConnectPublisher(brain.MqttPort, Firm, $"bench-board-{i}"));
}

Console.WriteLine($"board benchmark: {Environment.ProcessorCount} cores, one firm, {orders} orders x {steps.Length} steps, {terminals} terminals, silo in this process");
(await http.PutAsJsonAsync($"api/enterprises/{Firm}", new { name = "重庆桥丰五金制造有限公司", uscc = "91500111MA5U3Q7X1D", chainNode = "knives" })).EnsureSuccessStatusCode();
var setUp = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (o, _) =>
    (await http.PutAsJsonAsync($"api/enterprises/{Firm}/orders/{Order(o)}", new
    {
        product = "8寸斩骨刀",
        quantity = 100_000,
        unitPrice = 38.5m,
        due = DateTimeOffset.UtcNow.AddDays(5 + (o % 20)),
        routing = steps.Select(s => new { step = s, idealRatePerHour = 600 }).ToArray(),
    })).EnsureSuccessStatusCode());

// Each terminal works one step for a handful of orders; every one is running.
var seq = new long[terminals];
var good = new long[terminals];
for (var t = 0; t < terminals; t++)
{
    await publishers[t % publishers.Count].Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"ib/{Firm}/{Terminal(t)}/status")
        .WithPayload("""{"state":"running","seq":1}""").WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
}

await Task.WhenAll(Enumerable.Range(0, terminals).Select(t => Count(t, 10)));
await BoardOnce(b => (int)b["activeOrders"]! == orders && b["steps"]!.AsArray().Sum(g => g!["terminals"]!.AsArray().Count) == terminals
    && b["orders"]!.AsArray().All(o => o!["steps"]!.AsArray().Any(s => (long)s!["good"]! > 0)));
Console.WriteLine($"set up and caught up in {setUp.Elapsed.TotalSeconds:F1} s");
Console.WriteLine();
Console.WriteLine("              GET board: mean    p50     p99     max       body      stream event   reading -> screen: p50   p99    max");

await Measure("idle");
if (loadRate > 0)
{
    using var stop = new CancellationTokenSource();
    var sent = 0L;
    var load = Task.Run(() => Load(loadRate, stop.Token, n => Interlocked.Add(ref sent, n)));
    await Task.Delay(TimeSpan.FromSeconds(3));
    var clock = Stopwatch.StartNew();
    var before = Interlocked.Read(ref sent);
    await Measure("under load");
    Console.WriteLine($"  (load: {(Interlocked.Read(ref sent) - before) / clock.Elapsed.TotalSeconds:N0} readings/s published by {terminals} terminals)");
    stop.Cancel();
    await load;
}

foreach (var publisher in publishers)
{
    await publisher.DisposeAsync();
}

await brain.DisposeAsync();

return 0;

string Order(int o) => $"QF-{o:0000}";
string Terminal(int t) => $"T-{t:000}";

// A terminal's next cumulative count for its step on each of its orders (orders t, t + terminals, ...).
Task Count(int t, long more)
{
    seq[t]++;
    good[t] += more;
    var mine = Enumerable.Range(0, orders).Where(o => o % terminals == t % orders || o % terminals == t).Distinct()
        .Select(o => new { order = Order(o), step = steps[t % steps.Length], seq = seq[t], good = good[t], scrap = 0 });
    return publishers[t % publishers.Count].Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"ib/{Firm}/{Terminal(t)}/count")
        .WithPayload(JsonSerializer.Serialize(mine)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
}

async Task Measure(string label)
{
    var bytes = 0;
    for (var i = 0; i < 10; i++)
    {
        bytes = (await http.GetByteArrayAsync($"api/enterprises/{Firm}/board")).Length;
    }

    var times = new double[requests];
    for (var i = 0; i < requests; i++)
    {
        var started = Stopwatch.GetTimestamp();
        using var answer = await http.GetAsync($"api/enterprises/{Firm}/board");
        await answer.Content.LoadIntoBufferAsync();
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(times);
    var (screen, eventBytes) = await ReadingToScreen();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label,-12}           {times.Average(),6:F1} {P(times, 0.5),6:F1} {P(times, 0.99),7:F1} {times[^1],7:F1} ms {bytes / 1024.0,7:F0} KiB  {eventBytes / 1024.0,7:F0} KiB     {P(screen, 0.5),19:F0} {P(screen, 0.99),6:F0} {screen[^1],6:F0} ms"));
}

// Terminal 0 counts 7 more; the stream is read until order 0's step shows them.
async Task<(double[] Milliseconds, int EventBytes)> ReadingToScreen()
{
    using var stream = await http.GetAsync($"api/enterprises/{Firm}/board/stream", HttpCompletionOption.ResponseHeadersRead);
    using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
    var times = new double[trials];
    var eventBytes = 0;
    for (var i = 0; i < trials; i++)
    {
        // Terminal 0 is the probe; the load leaves it alone.
        var started = Stopwatch.GetTimestamp();
        await Count(0, 7);
        var expected = good[0];
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(enough.Token) is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            eventBytes = line.Length - 6;
            var order = JsonNode.Parse(line[6..])!["orders"]!.AsArray().FirstOrDefault(o => (string)o!["order"]! == Order(0));
            if (order?["steps"]!.AsArray().FirstOrDefault(s => (string)s!["step"]! == steps[0]) is { } step && (long)step["good"]! == expected)
            {
                break;
            }
        }

        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await Task.Delay(500);
    }

    Array.Sort(times);
    return (times, eventBytes);
}

async Task BoardOnce(Func<JsonNode, bool> shows)
{
    var until = DateTime.UtcNow.AddMinutes(5);
    while (true)
    {
        var board = JsonNode.Parse(await http.GetStringAsync($"api/enterprises/{Firm}/board"))!;
        if (shows(board))
        {
            return;
        }

        if (DateTime.UtcNow > until)
        {
            throw new TimeoutException($"the board did not catch up: {board["activeOrders"]} orders");
        }

        await Task.Delay(250);
    }
}

// Every terminal but the probe counts on, about `rate` readings a second in all.
async Task Load(int rate, CancellationToken cancellationToken, Action<int> sentReadings)
{
    var readingsPerMessage = Math.Max(1, orders / terminals + 1);
    var tick = TimeSpan.FromMilliseconds(50);
    var perTick = Math.Max(1, rate * tick.TotalSeconds / readingsPerMessage);
    var next = 0;
    var clock = Stopwatch.StartNew();
    var due = TimeSpan.Zero;
    while (!cancellationToken.IsCancellationRequested)
    {
        var batch = new List<Task>();
        for (var m = 0; m < perTick; m++)
        {
            var t = 1 + (next++ % (terminals - 1));
            batch.Add(Count(t, 3));
        }

        await Task.WhenAll(batch);
        sentReadings((int)perTick * readingsPerMessage);
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

static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

static string Arg(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
