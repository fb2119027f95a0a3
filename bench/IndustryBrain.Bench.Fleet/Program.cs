using System.Diagnostics;
using System.Globalization;
using IndustryBrain.Bench;
using IndustryBrain.Bench.Fleet;

// A district's fleet of terminals against the embedded default, as a benchmark that prints its figures:
//   dotnet run -c Release --project bench/IndustryBrain.Bench.Fleet -- [--scenarios steady,full,storm,overload,cluster]
//       [--terminals 200,8000,16000] [--cluster-terminals 30000] [--rate 0.2] [--seconds 60] [--silo PATH] [--silo-args "..."]
// Terminals are plain sockets speaking MQTT 5 (pre-encoded frames), each with its own credential, subscribed to
// its reject topic and ib/brain/state as the contract's terminals are, in worker processes of at most 8,000
// (a process may open 20,000 files here), from loopback source addresses of 1,500 terminals each.
if (args is ["worker", var spec])
{
    return await FleetWorker.Run(spec);
}

var options = Options(args);
var scenarios = options.GetValueOrDefault("scenarios", "steady,full,storm,overload,cluster").Split(',');
var sizes = options.GetValueOrDefault("terminals", "200,8000,16000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
var clusterTerminals = int.Parse(options.GetValueOrDefault("cluster-terminals", "30000"), CultureInfo.InvariantCulture);
var rate = double.Parse(options.GetValueOrDefault("rate", "0.2"), CultureInfo.InvariantCulture);
var seconds = int.Parse(options.GetValueOrDefault("seconds", "60"), CultureInfo.InvariantCulture);
var siloDll = options.GetValueOrDefault("silo") ?? BenchBrain.DefaultSiloPath();
const int PerWorker = 8_000;
// --silo-args "--History:Enabled=false --Key=value": extra configuration for every silo (an A/B of one feature's cost).
string[] fleetArgs = ["--Mqtt:RequireCredentials=true", .. options.GetValueOrDefault("silo-args", "").Split(' ', StringSplitOptions.RemoveEmptyEntries)];

// As issue 10 measured: the middle 30 s of a 60 s run.
var warm = TimeSpan.FromSeconds(seconds / 4.0);
var measure = TimeSpan.FromSeconds(seconds / 2.0);
var rows = new List<FleetFigures>();
var notes = new List<string>();
Console.WriteLine($"fleet bench: {Environment.ProcessorCount} cores; silo {siloDll}");

if (scenarios.Any(s => s is "steady" or "full" or "storm" or "overload"))
{
    var largest = scenarios.Any(s => s is "storm" or "overload") ? Math.Max(sizes.Max(), 16_000) : sizes.Max();
    await using var silo = await BenchBrain.Start(siloDll, null, null, fleetArgs);
    var plan = new FleetPlan(largest);
    var provisioning = Stopwatch.StartNew();
    await plan.Provision(silo.Http);
    Console.WriteLine($"provisioned {plan.Firms:N0} firms and {largest:N0} terminal credentials (bulk) in {provisioning.Elapsed.TotalSeconds:N1} s");
    var run = new FleetRun([silo], plan, PerWorker);
    if (scenarios.Contains("steady"))
    {
        foreach (var size in sizes)
        {
            Report(await run.Steady($"{rate} readings/s each", size, rate, warm, measure));
        }
    }

    if (scenarios.Contains("full"))
    {
        Report(await run.Steady("full speed, 8 in flight each", 200, 0, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), window: 8, flat: true));
    }

    if (scenarios.Contains("overload"))
    {
        Report(await run.Steady("overload: 2 readings/s each", 16_000, 2, warm, measure));
    }

    if (scenarios.Contains("storm"))
    {
        var storm = await run.Storm(16_000, rate, crash: false);
        Console.WriteLine(storm);
        notes.Add(storm);
    }
}

if (scenarios.Contains("cluster"))
{
    await using var redis = await RedisServer.Start();
    var cluster = $"fleet-{Guid.NewGuid():N}"[..16];
    string[] clustered = [.. fleetArgs, $"--Cluster:Redis=127.0.0.1:{redis.Port}", $"--Orleans:ClusterId={cluster}"];
    await using var first = await BenchBrain.Start(siloDll, null, null, clustered);
    await using var second = await BenchBrain.Start(siloDll, null, null, clustered);
    var plan = new FleetPlan(clusterTerminals);
    var provisioning = Stopwatch.StartNew();
    await plan.Provision(first.Http);
    Console.WriteLine($"cluster of 2 silos on Redis, each with its own embedded broker: provisioned {plan.Firms:N0} firms and {clusterTerminals:N0} credentials in {provisioning.Elapsed.TotalSeconds:N1} s");
    var run = new FleetRun([first, second], plan, PerWorker);
    Report(await run.Steady($"{rate * clusterTerminals:N0} readings/s over 2 silos", clusterTerminals, rate, warm, measure));
}

Console.WriteLine();
Console.WriteLine(FleetFigures.Header);
foreach (var row in rows)
{
    Console.WriteLine(row);
}

foreach (var note in notes)
{
    Console.WriteLine();
    Console.WriteLine(note);
}

return rows.All(r => r.Exact) ? 0 : 1;

void Report(FleetFigures row)
{
    rows.Add(row);
    Console.WriteLine(FleetFigures.Header.Split('\n')[0]);
    Console.WriteLine(row);
}

static Dictionary<string, string> Options(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        options[args[i].TrimStart('-')] = args[i + 1];
    }

    return options;
}
