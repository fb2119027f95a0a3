using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Testing;

namespace IndustryBrain.Bench;

/// <summary>The ingest figures of GET /health.</summary>
public readonly record struct IngestFigures(long Received, long Applied, long Duplicates, long Rejected, long Failed, long Pending)
{
    public long Settled => Applied + Duplicates + Rejected + Failed;
}

/// <summary>The history archive's figures of GET /health: "off" when the silo keeps no archive.</summary>
public readonly record struct ArchiveFigures(string State, long Queued, long ReadingsWritten, long NotArchived, long SpooledBytes)
{
    public bool Off => State == "off";
}

/// <summary>The GC's running tallies at one moment.</summary>
public readonly record struct GcTally(long AllocatedBytes, int Gen0, int Gen1, int Gen2, double PauseMs)
{
    public static GcTally operator -(GcTally a, GcTally b) =>
        new(a.AllocatedBytes - b.AllocatedBytes, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.PauseMs - b.PauseMs);
}

/// <summary>
/// What POST /debug/gc answers: the heap after a full compacting collection, and the GC's tallies just
/// before and just after that collection (so the work between two calls is next.Before - previous.After). Asked with
/// <c>aggressive</c>, also what the GC holds committed and the process's RSS once it gave its free memory back.
/// </summary>
public readonly record struct HeapFigures(long LiveBytes, long GcHeapBytes, long WorkingSetBytes, GcTally Before, GcTally After, long GcCommittedBytes = 0,
    long GivenBackCommittedBytes = 0, long GivenBackWorkingSetBytes = 0);

/// <summary>
/// The real silo for the benchmark: a <see cref="Brain"/> (the built silo as its own process) on free ports with
/// a temp Storage:Path, a log file in it and an admin key, and the HTTP calls the bench makes to it (Bearer key on each).
/// </summary>
public sealed class BenchBrain : IAsyncDisposable
{
    private readonly Brain _brain;

    private BenchBrain(Brain brain)
    {
        _brain = brain;
        Http = BrainHttp.Client(brain.BaseAddress, brain.AdminKey, TimeSpan.FromMinutes(5),
            new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false });
    }

    public HttpClient Http { get; }

    /// <summary>Keep the storage folder and silo.log after the silo stops.</summary>
    public static bool Keep { get; set; }

    public int MqttPort => _brain.MqttPort;

    public int ProcessId => _brain.ProcessId;

    public string LogPath => Path.Combine(_brain.StoragePath, "silo.log");

    public TimeSpan CpuTime => _brain.CpuTime;

    /// <summary>silo/bin/{the bench's own configuration}/net10.0/IndustryBrain.Silo.dll in this repository.</summary>
    public static string DefaultSiloPath() => SiloBuild.Assembly;

    /// <param name="extraArgs">More command-line settings, after the bench's own (a later one wins).</param>
    public static async Task<BenchBrain> Start(string siloDll, string? gcServer, IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? extraArgs = null)
    {
        if (!File.Exists(siloDll))
        {
            throw new FileNotFoundException($"{siloDll} is missing: build the silo (dotnet build -c Release IndustryBrain.sln)");
        }

        var storage = Directory.CreateTempSubdirectory("ib-bench-").FullName;
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (gcServer is not null)
        {
            variables["DOTNET_gcServer"] = gcServer;
        }

        var brain = await Brain.Start(new BrainOptions
        {
            Mode = BrainMode.ChildProcess,
            SiloAssembly = siloDll,
            AdminKey = "bench-" + Guid.NewGuid().ToString("N"),
            StoragePath = storage,
            KeepStorage = true,
            WorkingDirectory = storage,
            LogFile = Path.Combine(storage, "silo.log"),
            Logging = [],
            Environment = variables,

            // The bench plans 100,000 orders as fast as HTTP allows, like an ERP's bulk import, and its
            // terminals publish without credentials, flat out over few connections.
            Settings = ["--Mqtt:PublishesPerSecond=0", "--Http:RequestsPerSecond=0", .. extraArgs ?? []],
        });
        return new BenchBrain(brain);
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
            await _brain.Kill();
        }
        else
        {
            await _brain.Stop();
        }

        var stopped = clock.Elapsed;
        await _brain.Restart();
        return (stopped, clock.Elapsed);
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

    public async Task<ArchiveFigures> Archive()
    {
        using var response = await Http.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var history = body.RootElement.GetProperty("history");
        return new ArchiveFigures(
            history.GetProperty("state").GetString() ?? "", history.GetProperty("queued").GetInt64(),
            history.GetProperty("readingsWritten").GetInt64(), history.GetProperty("notArchived").GetInt64(),
            history.TryGetProperty("spooledBytes", out var spooled) ? spooled.GetInt64() : 0);
    }

    public async Task<HeapFigures> CollectGarbage(bool aggressive = false)
    {
        var path = aggressive ? "/debug/gc?aggressive=true" : "/debug/gc";
        // An administrator's call (the bench's key), at most one in Debug:FullGcIntervalSeconds: a 429 is waited out.
        var response = await Http.PostAsync(path, null);
        for (var attempt = 0; response.StatusCode == System.Net.HttpStatusCode.TooManyRequests && attempt < 30; attempt++)
        {
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
            response = await Http.PostAsync(path, null);
        }

        using var answered = response;
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        static GcTally Tally(JsonElement t) => new(t.GetProperty("allocatedBytes").GetInt64(), t.GetProperty("gen0").GetInt32(),
            t.GetProperty("gen1").GetInt32(), t.GetProperty("gen2").GetInt32(), t.GetProperty("pauseMs").GetDouble());
        return new HeapFigures(root.GetProperty("liveBytes").GetInt64(), root.GetProperty("gcHeapBytes").GetInt64(),
            root.GetProperty("workingSetBytes").GetInt64(), Tally(root.GetProperty("before")), Tally(root.GetProperty("after")),
            root.TryGetProperty("gcCommittedBytes", out var committed) ? committed.GetInt64() : 0,
            root.TryGetProperty("aggressive", out var back) && back.ValueKind == JsonValueKind.Object ? back.GetProperty("gcCommittedBytes").GetInt64() : 0,
            back.ValueKind == JsonValueKind.Object ? back.GetProperty("workingSetBytes").GetInt64() : 0);
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
        var died = !_brain.IsRunning;
        if (died)
        {
            Console.WriteLine($"!! the silo exited by itself; its log and storage are kept: {LogPath}");
        }

        await _brain.DisposeAsync();
        try
        {
            if (!Keep && !died)
            {
                Directory.Delete(_brain.StoragePath, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    public static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture);
}
