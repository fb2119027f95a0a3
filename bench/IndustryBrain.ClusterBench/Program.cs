using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using IndustryBrain.Client.Simulator;

// The production topology under load: deploy/cluster.sh starts Redis, Mosquitto and three silos on
// free loopback ports; simulated terminals publish flat out through the one broker; the bench prints
// readings/s (accepted by the broker, and applied by the brain end to end), each silo's share, what
// the broker dropped, and whether every count is exact.
//   dotnet run -c Release --project bench/IndustryBrain.ClusterBench -- --seconds 20 --enterprises 6 --terminals 10 --batch 1
var settings = Arguments.Parse(args);
var root = SiloBuild.RepositoryRoot;
await using var cluster = new LoopbackCluster(root, settings.Silos);
Console.WriteLine($"starting Redis, Mosquitto and {settings.Silos} silos (Release build) ...");
await cluster.Start();

using var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LoopbackCluster.AdminKey);
var before = await cluster.Shares(http);
await using var simulation = new Simulation(new SimulationOptions
{
    Api = cluster.Api(1),
    Key = LoopbackCluster.AdminKey,
    Mqtt = new Uri($"mqtt://127.0.0.1:{cluster.MqttPort}"),
    Enterprises = settings.Enterprises,
    Terminals = settings.Terminals,
    Orders = 3,
    Rate = 0,
    Batch = settings.Batch,
    Duration = TimeSpan.FromSeconds(settings.Seconds),
    VerifyTimeout = TimeSpan.FromSeconds(120),
    Prefix = "bench" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture),
});
await simulation.Plan(CancellationToken.None);
await simulation.Connect(CancellationToken.None);

var clock = Stopwatch.StartNew();
var report = await simulation.Publish(CancellationToken.None);
var published = clock.Elapsed;
long taken;
do
{
    var now = await cluster.Shares(http);
    taken = now.Zip(before, (a, b) => a.Handled - b.Handled).Sum();
    if (taken >= report.Readings + report.ResentReadings && now.All(s => s.Pending == 0))
    {
        break;
    }

    await Task.Delay(100);
}
while (clock.Elapsed < published + TimeSpan.FromMinutes(2));
var applied = clock.Elapsed;
var verification = await simulation.Verify(CancellationToken.None);
var after = await cluster.Shares(http);
var dropped = await cluster.BrokerDropped();

Console.WriteLine();
Console.WriteLine($"{settings.Silos} silos, {report.Connections} MQTT connections, {report.Terminals} terminals, batch {settings.Batch}, {Environment.ProcessorCount} cores shared by broker, Redis, silos and publishers");
Console.WriteLine($"published {report.Readings:N0} readings in {report.Messages:N0} messages in {published.TotalSeconds:F1} s: {report.Readings / published.TotalSeconds:N0} readings/s accepted by the broker");
Console.WriteLine($"applied end to end in {applied.TotalSeconds:F1} s: {report.Readings / applied.TotalSeconds:N0} readings/s");
var total = after.Zip(before, (a, b) => a.Received - b.Received).Sum();
for (var i = 0; i < after.Length; i++)
{
    var received = after[i].Received - before[i].Received;
    Console.WriteLine($"  silo-{i + 1}: received {received:N0} ({100.0 * received / Math.Max(1, total):F1}%), applied {after[i].Applied - before[i].Applied:N0}, superseded {after[i].Duplicates - before[i].Duplicates:N0}, failed {after[i].Failed - before[i].Failed:N0}");
}

Console.WriteLine($"broker dropped: {dropped} messages; resyncs {report.Resyncs}");
Console.WriteLine($"verification: {verification.Exact}/{verification.Orders} orders exact{(verification.IsExact ? "" : ": " + string.Join("; ", verification.Mismatches.Take(5)))}");
return verification.IsExact && dropped == "0" ? 0 : 1;

internal sealed record Arguments(int Seconds, int Enterprises, int Terminals, int Batch, int Silos)
{
    public static Arguments Parse(string[] args)
    {
        int Value(string name, int fallback)
        {
            var at = Array.IndexOf(args, "--" + name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new Arguments(Value("seconds", 20), Value("enterprises", 6), Value("terminals", 10), Value("batch", 1), Value("silos", 3));
    }
}

internal readonly record struct Share(long Received, long Applied, long Duplicates, long Failed, long Pending)
{
    public long Handled => Applied + Duplicates + Failed;
}

/// <summary>deploy/cluster.sh on free ports in a temp folder, stopped at the end.</summary>
internal sealed class LoopbackCluster(string root, int silos) : IAsyncDisposable
{
    public const string AdminKey = "cluster-bench-admin-key";
    private readonly string _run = Path.Combine(Path.GetTempPath(), "ib-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, string> _environment = [];
    private int[] _http = [];

    public int MqttPort { get; private set; }

    private int RedisPort { get; set; }

    public Uri Api(int silo) => new($"http://127.0.0.1:{_http[silo - 1]}");

    public async Task Start()
    {
        var ports = FreePort.Next(2 + (3 * silos));
        RedisPort = ports[0];
        MqttPort = ports[1];
        _http = ports[2..(2 + silos)];
        _environment["IB_RUN_DIR"] = _run;
        _environment["IB_SILOS"] = Text(silos);
        _environment["IB_REDIS_PORT"] = Text(RedisPort);
        _environment["IB_MQTT_PORT"] = Text(MqttPort);
        _environment["IB_HTTP_PORTS"] = string.Join(' ', _http.Select(Text));
        _environment["IB_SILO_PORTS"] = string.Join(' ', ports[(2 + silos)..(2 + (2 * silos))].Select(Text));
        _environment["IB_GATEWAY_PORTS"] = string.Join(' ', ports[(2 + (2 * silos))..].Select(Text));
        _environment["IB_ADMIN_KEY"] = AdminKey;
        _environment["IB_CLUSTER_ID"] = "bench";
        await Script("start");
    }

    public async Task<Share[]> Shares(HttpClient http) => await Task.WhenAll(_http.Select(async port =>
    {
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
        var ingest = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("ingest");
        return new Share(ingest.GetProperty("received").GetInt64(), ingest.GetProperty("applied").GetInt64(),
            ingest.GetProperty("duplicates").GetInt64(), ingest.GetProperty("failed").GetInt64(), ingest.GetProperty("pending").GetInt64());
    }));

    /// <summary>Mosquitto's own count of QoS 1 messages it dropped for slow subscribers ($SYS).</summary>
    public async Task<string> BrokerDropped()
    {
        var start = new ProcessStartInfo("mosquitto_sub") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", Text(MqttPort), "-t", "$SYS/broker/publish/messages/dropped", "-C", "1", "-W", "3" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var text = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        return text.Length == 0 ? "0" : text; // Mosquitto publishes the counter only once it moved
    }

    public async ValueTask DisposeAsync()
    {
        await Script("stop");
        try
        {
            Directory.Delete(_run, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task Script(string command)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "deploy", "cluster.sh"));
        start.ArgumentList.Add(command);
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/cluster.sh {command} failed ({process.ExitCode})");
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
