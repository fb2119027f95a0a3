using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace IndustryBrain.Bench;

/// <summary>A free loopback port: bind to port 0, read it, let it go.</summary>
public static class FreePort
{
    public static int Take()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>The ingest figures of GET /health.</summary>
public readonly record struct IngestFigures(long Received, long Applied, long Duplicates, long Rejected, long Failed, long Pending)
{
    public long Settled => Applied + Duplicates + Rejected + Failed;
}

/// <summary>The GC's running tallies at one moment.</summary>
public readonly record struct GcTally(long AllocatedBytes, int Gen0, int Gen1, int Gen2, double PauseMs)
{
    public static GcTally operator -(GcTally a, GcTally b) =>
        new(a.AllocatedBytes - b.AllocatedBytes, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.PauseMs - b.PauseMs);
}

/// <summary>
/// What POST /debug/gc answers: the heap after a full compacting collection, and the GC's tallies just
/// before and just after that collection (so the work between two calls is next.Before - previous.After).
/// </summary>
public readonly record struct HeapFigures(long LiveBytes, long GcHeapBytes, long WorkingSetBytes, GcTally Before, GcTally After);

/// <summary>
/// The real silo, started as its own process (dotnet IndustryBrain.Silo.dll) on free ports with a temp
/// Storage:Path and an admin key, and the HTTP calls the bench makes to it (Bearer key on each).
/// </summary>
public sealed class RunningSilo : IAsyncDisposable
{
    private readonly string _storage;
    private readonly StreamWriter _log;

    private Process _process;
    private readonly ProcessStartInfo _start;

    private RunningSilo(Process process, ProcessStartInfo start, string storage, StreamWriter log, HttpClient http, int mqttPort)
    {
        _process = process;
        _start = start;
        _storage = storage;
        _log = log;
        Http = http;
        MqttPort = mqttPort;
    }

    public HttpClient Http { get; }

    /// <summary>Keep the storage folder and silo.log after the silo stops.</summary>
    public static bool Keep { get; set; }

    public int MqttPort { get; }

    public int ProcessId => _process.Id;

    public string LogPath => Path.Combine(_storage, "silo.log");

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>silo/bin/{the bench's own configuration}/net10.0/IndustryBrain.Silo.dll in this repository.</summary>
    public static string DefaultSiloPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent?.Name ?? "Release";
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IndustryBrain.sln")))
            {
                return Path.Combine(dir.FullName, "silo", "bin", configuration, "net10.0", "IndustryBrain.Silo.dll");
            }
        }

        throw new InvalidOperationException("IndustryBrain.sln not found above " + AppContext.BaseDirectory + "; pass --silo PATH");
    }

    /// <param name="extraArgs">More command-line settings, after the bench's own (a later one wins).</param>
    public static async Task<RunningSilo> Start(string siloDll, string? gcServer, IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? extraArgs = null)
    {
        if (!File.Exists(siloDll))
        {
            throw new FileNotFoundException($"{siloDll} is missing: build the silo (dotnet build -c Release IndustryBrain.sln)");
        }

        var storage = Directory.CreateTempSubdirectory("ib-bench-").FullName;
        var http = FreePort.Take();
        var mqtt = FreePort.Take();
        var key = "bench-" + Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = storage,
        };
        string[] args =
        [
            siloDll, "--urls", $"http://127.0.0.1:{http}", $"--Mqtt:Port={mqtt}", $"--Storage:Path={storage}",
            $"--Orleans:SiloPort={FreePort.Take()}", $"--Orleans:GatewayPort={FreePort.Take()}", $"--Auth:AdminKey={key}",

            // The bench plans 100,000 orders as fast as HTTP allows, like an ERP's bulk import, and its
            // terminals publish without credentials, flat out over few connections.
            "--Mqtt:RequireCredentials=false", "--Mqtt:PublishesPerSecond=0", "--Http:RequestsPerSecond=0",
        ];
        foreach (var arg in args.Concat(extraArgs ?? []))
        {
            start.ArgumentList.Add(arg);
        }

        if (gcServer is not null)
        {
            start.Environment["DOTNET_gcServer"] = gcServer;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(Path.Combine(storage, "silo.log")) { AutoFlush = true };
        var process = Launch(start, log);
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{http}"),
            Timeout = TimeSpan.FromMinutes(5),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var silo = new RunningSilo(process, start, storage, log, client, mqtt);
        try
        {
            await silo.Healthy();
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    private static Process Launch(ProcessStartInfo start, StreamWriter log)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException("the silo did not start");
        process.OutputDataReceived += (_, e) => Log(log, e.Data);
        process.ErrorDataReceived += (_, e) => Log(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the silo answers /health (90 s at most).</summary>
    private async Task Healthy()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {_process.ExitCode}; see {LogPath}");
            }

            try
            {
                using var health = await Http.GetAsync("/health");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException("the silo did not answer /health within 90 s");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Stops the silo (a clean stop by SIGTERM, or a crash by SIGKILL) and starts it again on the same ports and
    /// storage; answers when it has exited, and then when it answers /health again.
    /// </summary>
    public async Task<(TimeSpan Stopped, TimeSpan Healthy)> Restart(bool crash)
    {
        var clock = Stopwatch.StartNew();
        if (crash)
        {
            _process.Kill(entireProcessTree: true);
        }
        else
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var stopped = clock.Elapsed;
        _process.Dispose();
        _process = Launch(_start, _log);
        await Healthy();
        return (stopped, clock.Elapsed);
    }

    private static void Log(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    public async Task<IngestFigures> Ingest()
    {
        using var response = await Http.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var ingest = body.RootElement.GetProperty("ingest");
        return new IngestFigures(
            ingest.GetProperty("received").GetInt64(), ingest.GetProperty("applied").GetInt64(),
            ingest.GetProperty("duplicates").GetInt64(), ingest.GetProperty("rejected").GetInt64(),
            ingest.GetProperty("failed").GetInt64(), ingest.GetProperty("pending").GetInt64());
    }

    public async Task<HeapFigures> CollectGarbage()
    {
        // An administrator's call (the bench's key), at most one in Debug:FullGcIntervalSeconds: a 429 is waited out.
        var response = await Http.PostAsync("/debug/gc", null);
        for (var attempt = 0; response.StatusCode == System.Net.HttpStatusCode.TooManyRequests && attempt < 30; attempt++)
        {
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
            response = await Http.PostAsync("/debug/gc", null);
        }

        using var answered = response;
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        static GcTally Tally(JsonElement t) => new(t.GetProperty("allocatedBytes").GetInt64(), t.GetProperty("gen0").GetInt32(),
            t.GetProperty("gen1").GetInt32(), t.GetProperty("gen2").GetInt32(), t.GetProperty("pauseMs").GetDouble());
        return new HeapFigures(root.GetProperty("liveBytes").GetInt64(), root.GetProperty("gcHeapBytes").GetInt64(),
            root.GetProperty("workingSetBytes").GetInt64(), Tally(root.GetProperty("before")), Tally(root.GetProperty("after")));
    }

    public async Task RegisterEnterprise(int e)
    {
        using var response = await Http.PutAsJsonAsync($"/api/enterprises/{Plant.EnterpriseId(e)}", new
        {
            name = $"Bench Knives {e:000}",
            uscc = Plant.UsccOf(e),
            chainNode = "knives",
            park = "Longshui Lake",
            tier = "sme",
        });
        await Expect(response, "registering " + Plant.EnterpriseId(e));
    }

    public async Task PlanOrder(Plant plant, int e, int o)
    {
        using var response = await Http.PutAsJsonAsync($"/api/enterprises/{Plant.EnterpriseId(e)}/orders/{plant.OrderId(o)}", new
        {
            product = "slaughter knife 8in",
            quantity = 1_000_000_000,
            unitPrice = 38.5m,
            due = DateTimeOffset.UtcNow.AddDays(30).ToOffset(TimeSpan.FromHours(8)),
            routing = Plant.Routing.Select(r => new { step = r.Step, name = r.Name }).ToArray(),
        });
        await Expect(response, $"planning {Plant.EnterpriseId(e)}/{plant.OrderId(o)}");
    }

    /// <summary>Per step of the order: good and scrap as GET /api/enterprises/{e}/orders/{o} shows them.</summary>
    public async Task<Dictionary<string, (long Good, long Scrap)>?> StepCounts(Plant plant, int e, int o)
    {
        using var response = await Http.GetAsync($"/api/enterprises/{Plant.EnterpriseId(e)}/orders/{plant.OrderId(o)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await Expect(response, $"reading {Plant.EnterpriseId(e)}/{plant.OrderId(o)}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var steps = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var step in body.RootElement.GetProperty("steps").EnumerateArray())
        {
            steps[step.GetProperty("step").GetString()!] = (step.GetProperty("good").GetInt64(), step.GetProperty("scrap").GetInt64());
        }

        return steps;
    }

    private static async Task Expect(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        var died = _process.HasExited;
        if (died)
        {
            Console.WriteLine($"!! the silo (pid {_process.Id}) exited by itself with code {_process.ExitCode}; its log and storage are kept: {LogPath}");
        }
        else
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }

        try
        {
            if (!Keep && !died)
            {
                Directory.Delete(_storage, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    public static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture);
}
