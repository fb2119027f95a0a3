using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace IndustryBrain.Tests.Infrastructure;

/// <summary>
/// The real silo as a separate process: <c>dotnet silo/bin/{Configuration}/net10.0/IndustryBrain.Silo.dll</c>
/// on free loopback ports, with a temporary Storage:Path and an admin key. It can be stopped cleanly
/// (SIGTERM), killed (SIGKILL) and started again on the same storage. Use it as a class fixture so one
/// process serves a whole test class.
/// </summary>
public sealed class BrainProcess : IAsyncLifetime
{
    public const string AdminKey = "e2e-admin-key-0123456789";

    /// <summary>How long to wait for the brain to reach an expected state: generous, since machines are shared.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);
    private const int LogLines = 400;

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    public BrainProcess()
    {
        StoragePath = Path.Combine(Path.GetTempPath(), "ib-e2e-" + Guid.NewGuid().ToString("N"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillNow();
    }

    public string StoragePath { get; }

    public int HttpPort { get; private set; }

    public int MqttPort { get; private set; }

    public int SiloPort { get; private set; }

    public int GatewayPort { get; private set; }

    /// <summary>An HTTP client on the silo's address that sends the admin key with every request.</summary>
    public HttpClient Http { get; private set; } = new();

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines the silo wrote, for failure messages.</summary>
    public string RecentLog => string.Join('\n', _log);

    /// <summary>The built silo of the same configuration (Debug or Release) as this test assembly.</summary>
    public static string SiloAssembly
    {
        get
        {
            var configuration = typeof(BrainProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(RepositoryRoot, "silo", "bin", configuration, "net10.0", "IndustryBrain.Silo.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"The silo is not built: {path}. Build the solution in {configuration} first.", path);
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "IndustryBrain.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new DirectoryNotFoundException($"No IndustryBrain.sln above {AppContext.BaseDirectory}");
        }
    }

    public Task InitializeAsync() => Start();

    /// <summary>Starts the silo (on the ports it had before, if it ran already) and waits until /health answers 200.</summary>
    public async Task Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the silo is already running");
        }

        for (var attempt = 1; ; attempt++)
        {
            if (HttpPort == 0 || attempt > 1)
            {
                PickPorts();
            }

            var started = await TryStart();
            if (started)
            {
                return;
            }

            if (attempt == 3 || !RecentLog.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"the silo did not start (exit code {ExitCode()}):\n{RecentLog}");
            }
        }
    }

    private async Task<bool> TryStart()
    {
        _log.Clear();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(SiloAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            SiloAssembly,
            "--urls", $"http://127.0.0.1:{HttpPort}",
            $"--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={MqttPort}",
            $"--Storage:Path={StoragePath}",
            $"--Orleans:SiloPort={SiloPort}",
            $"--Orleans:GatewayPort={GatewayPort}",
            $"--Auth:AdminKey={AdminKey}",
            // Terminals here publish without credentials; the security tests (Security/) run with them required.
            "--Mqtt:RequireCredentials=false",
            "--Logging:LogLevel:Orleans=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var address = new Uri($"http://127.0.0.1:{HttpPort}/");
        if (Http.BaseAddress != address)
        {
            Http.Dispose();
            Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        }

        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await Http.GetAsync("health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        KillNow();
        throw new TimeoutException($"the silo did not answer /health within {StartDeadline}:\n{RecentLog}");
    }

    /// <summary>A clean stop: SIGTERM, as a service manager would send, then wait for the process to exit.</summary>
    public async Task<int> Stop()
    {
        var process = _process ?? throw new InvalidOperationException("the silo was never started");
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.True(kill.ExitCode == 0, $"kill -TERM {process.Id} exited with {kill.ExitCode}");
            }

            using var timeout = new CancellationTokenSource(Deadline);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                KillNow();
                throw new TimeoutException($"the silo did not stop within {Deadline} of SIGTERM:\n{RecentLog}");
            }
        }

        return process.ExitCode;
    }

    /// <summary>A crash: SIGKILL, no chance to save anything.</summary>
    public async Task Kill()
    {
        var process = _process ?? throw new InvalidOperationException("the silo was never started");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async Task DisposeAsync()
    {
        KillNow();
        if (_process is { } process)
        {
            await process.WaitForExitAsync();
            process.Dispose();
        }

        Http.Dispose();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // ---- HTTP ----

    public Task<HttpResponseMessage> Put(string path, string json) =>
        Http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>GET that must answer 200; the body as JSON.</summary>
    public async Task<JsonElement> Get(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls GET <paramref name="path"/> until it answers 200 with a body that satisfies <paramref name="done"/>.</summary>
    public async Task<JsonElement> Until(string path, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        var last = "(no answer)";
        while (true)
        {
            using (var response = await Http.GetAsync(path))
            {
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {text}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = JsonDocument.Parse(text).RootElement.Clone();
                    if (done(body))
                    {
                        return body;
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"GET {path} did not show {what} within {Deadline}; last answer: {last}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The ingest's counters from /health.</summary>
    public async Task<IngestCounters> Ingest()
    {
        var ingest = (await Get("health")).GetProperty("ingest");
        return new IngestCounters(
            ingest.GetProperty("received").GetInt64(),
            ingest.GetProperty("applied").GetInt64(),
            ingest.GetProperty("duplicates").GetInt64(),
            ingest.GetProperty("rejected").GetInt64(),
            ingest.GetProperty("pending").GetInt64());
    }

    /// <summary>Waits until the ingest has settled at least <paramref name="applied"/> and <paramref name="duplicates"/> more than <paramref name="since"/>.</summary>
    public async Task<IngestCounters> UntilIngested(IngestCounters since, long applied, long duplicates)
    {
        await Until("health", h =>
        {
            var i = h.GetProperty("ingest");
            return i.GetProperty("applied").GetInt64() >= since.Applied + applied
                && i.GetProperty("duplicates").GetInt64() >= since.Duplicates + duplicates
                && i.GetProperty("pending").GetInt64() == 0;
        }, $"{applied} more applied and {duplicates} more duplicate readings than {since}");
        return await Ingest();
    }

    // ---- process plumbing ----

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > LogLines)
        {
            _log.TryDequeue(out _);
        }
    }

    private string ExitCode() => _process is { HasExited: true } p ? p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";

    private void KillNow()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void PickPorts()
    {
        var ports = FreePort.Next(4);
        (HttpPort, MqttPort, SiloPort, GatewayPort) = (ports[0], ports[1], ports[2], ports[3]);
    }
}

/// <summary>The ingest's counters as /health reports them.</summary>
public sealed record IngestCounters(long Received, long Applied, long Duplicates, long Rejected, long Pending);
