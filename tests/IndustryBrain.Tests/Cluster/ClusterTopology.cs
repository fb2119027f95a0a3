using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Cluster;

/// <summary>
/// The production topology on loopback, started by deploy/cluster.sh: real Redis (append-only file),
/// real Mosquitto and three silos, each on free ports, in a temp folder. Shared by the cluster tests;
/// each test leaves it whole (three silos, broker up).
/// </summary>
public sealed class ClusterTopology : IAsyncLifetime
{
    public const int Silos = 3;
    public const string AdminKey = "cluster-test-admin-key";

    private readonly string _run = Path.Combine(Path.GetTempPath(), "ib-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, string> _environment = [];
    private readonly HttpClient[] _http = new HttpClient[Silos];

    public int MqttPort { get; private set; }

    public int RedisPort { get; private set; }

    public int[] HttpPorts { get; } = new int[Silos];

    public int[] SiloPorts { get; } = new int[Silos];

    public string ClusterId => _environment["IB_CLUSTER_ID"];

    public string RunFolder => _run;

    /// <summary>A silo's warnings and errors from its log (the run folder goes with the fixture), to explain a failed test.</summary>
    public IEnumerable<string> Warnings(int silo, int most = 40)
    {
        var log = Path.Combine(_run, $"silo-{silo}.log");
        if (!File.Exists(log))
        {
            return [$"(no log at {log})"];
        }

        // The console formatter writes "warn: Category[id]" and the message indented on the next lines.
        var entries = new List<string>();
        var inEntry = false;
        foreach (var line in File.ReadLines(log))
        {
            if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            {
                entries.Add(line);
                inEntry = true;
            }
            else if (inEntry && line.StartsWith(' '))
            {
                entries[^1] += " " + line.Trim();
            }
            else
            {
                inEntry = false;
            }
        }

        return entries.TakeLast(most);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_run);
        var ports = FreePort.Next(2 + (3 * Silos));
        RedisPort = ports[0];
        MqttPort = ports[1];
        for (var i = 0; i < Silos; i++)
        {
            HttpPorts[i] = ports[2 + i];
            _http[i] = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPorts[i]}"), Timeout = TimeSpan.FromSeconds(30) };
            _http[i].DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        }

        _environment["IB_RUN_DIR"] = _run;
        _environment["IB_REDIS_PORT"] = Text(RedisPort);
        _environment["IB_MQTT_PORT"] = Text(MqttPort);
        _environment["IB_HTTP_PORTS"] = string.Join(' ', HttpPorts.Select(Text));
        ports.Skip(2 + Silos).Take(Silos).ToArray().CopyTo(SiloPorts, 0);
        _environment["IB_SILO_PORTS"] = string.Join(' ', SiloPorts.Select(Text));
        _environment["IB_GATEWAY_PORTS"] = string.Join(' ', ports.Skip(2 + (2 * Silos)).Take(Silos).Select(Text));
        _environment["IB_ADMIN_KEY"] = AdminKey;
        _environment["IB_SILO_DLL"] = SiloBuild.Assembly;
        _environment["IB_CLUSTER_ID"] = "test-" + Path.GetFileName(_run);
        await Script("start");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Script("stop");
        }
        finally
        {
            foreach (var http in _http)
            {
                http?.Dispose();
            }

            if (Environment.GetEnvironmentVariable("IB_KEEP_CLUSTER_RUN") is null)
            {
                try
                {
                    Directory.Delete(_run, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    public HttpClient Http(int silo) => _http[silo - 1];

    public Task KillSilo(int silo) => Script("kill-silo", Text(silo));

    public Task StartSilo(int silo) => Script("start-silo", Text(silo));

    public Task StopSilo(int silo) => Script("stop-silo", Text(silo));

    public Task StopBroker() => Script("stop-broker");

    /// <summary>Starts the broker again; <paramref name="forgetting"/>: with nothing it saved, as with persistence off.</summary>
    public Task StartBroker(bool forgetting = false) => Script(forgetting ? "start-broker-empty" : "start-broker");

    /// <summary>Freezes a silo's process (SIGSTOP), as a starved machine or a paused VM does.</summary>
    public Task PauseSilo(int silo) => Script("pause-silo", Text(silo));

    public Task ResumeSilo(int silo) => Script("resume-silo", Text(silo));

    public Task StopAll() => Script("stop");

    public Task StartAll() => Script("start");

    /// <summary>A silo's /health: its status code and body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> Health(int silo)
    {
        using var response = await Http(silo).GetAsync("/health");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body);
    }

    /// <summary>The ingest's counters of one silo, from its /health.</summary>
    public async Task<IngestFigures> Ingest(int silo)
    {
        var (_, body) = await Health(silo);
        var ingest = body.GetProperty("ingest");
        return new IngestFigures(ingest.GetProperty("received").GetInt64(), ingest.GetProperty("applied").GetInt64(),
            ingest.GetProperty("duplicates").GetInt64(), ingest.GetProperty("failed").GetInt64(), ingest.GetProperty("pending").GetInt64());
    }

    /// <summary>The sum of one Prometheus series on a silo's /metrics, over the lines holding <paramref name="label"/> (all when empty).</summary>
    public async Task<double> Metric(int silo, string name, string label = "")
    {
        var text = await Http(silo).GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => line.Contains(label, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private async Task Script(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = SiloBuild.RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Combine(SiloBuild.RepositoryRoot, "deploy", "cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/cluster.sh {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

public readonly record struct IngestFigures(long Received, long Applied, long Duplicates, long Failed, long Pending);
