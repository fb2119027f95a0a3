using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace IndustryBrain.Tests.Infrastructure;

/// <summary>
/// A real silo process (the built IndustryBrain.Silo.dll) on free loopback ports with a temporary store,
/// for tests that talk to the brain from outside as terminals and operators do. Kill and Restart keep the
/// ports and the store, so a test can crash the brain and bring it back.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Queue<string> _output = new();
    private readonly string _silo;
    private Process? _process;

    private SiloProcess(string silo, string adminKey)
    {
        _silo = silo;
        AdminKey = adminKey;
        StoragePath = Path.Combine(Path.GetTempPath(), "ib-silo-" + Guid.NewGuid().ToString("N"));
        var ports = FreePorts(4);
        (HttpPort, MqttPort, SiloPort, GatewayPort) = (ports[0], ports[1], ports[2], ports[3]);
    }

    public int HttpPort { get; }
    public int MqttPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string StoragePath { get; }
    public string AdminKey { get; }

    public Uri Api => new($"http://127.0.0.1:{HttpPort}");

    public Uri Mqtt => new($"mqtt://127.0.0.1:{MqttPort}");

    /// <summary>The last lines the silo wrote, for a failing test's message.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts a silo and waits until /health answers 200.</summary>
    public static async Task<SiloProcess> Start(string adminKey = "test-admin-key")
    {
        var silo = new SiloProcess(FindSilo(), adminKey);
        try
        {
            await silo.Restart();
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the silo again on the same ports and store (after <see cref="Kill"/>).</summary>
    public async Task Restart()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("the silo is still running");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_silo)!,
        };
        foreach (var argument in new[]
        {
            _silo,
            "--urls", Api.ToString().TrimEnd('/'),
            $"--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={MqttPort}",
            $"--Storage:Path={StoragePath}",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={GatewayPort}",
            $"--Auth:AdminKey={AdminKey}",
            // Terminals here publish without credentials; the security tests (Security/) run with them required.
            "--Mqtt:RequireCredentials=false",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitHealthy(process);
    }

    /// <summary>Kills the silo at once, as a crash would: nothing unsaved is saved, the clean-stop mark is not written.</summary>
    public async Task Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitHealthy(Process process)
    {
        using var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {process.ExitCode}:\n{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        await Kill();
        throw new TimeoutException($"the silo did not answer /health in {StartTimeout.TotalSeconds} s:\n{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>Distinct free loopback ports: each bound at once, so none is handed out twice.</summary>
    private static int[] FreePorts(int count) => FreePort.Next(count);

    /// <summary>silo/bin/{the tests' configuration}/net10.0/IndustryBrain.Silo.dll of this repository.</summary>
    private static string FindSilo()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent?.Name ?? "Debug"; // .../bin/{Configuration}/net10.0/
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "IndustryBrain.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"no IndustryBrain.sln above {AppContext.BaseDirectory}");
        }

        foreach (var candidate in new[] { configuration, "Release", "Debug" })
        {
            var silo = Path.Combine(root.FullName, "silo", "bin", candidate, "net10.0", "IndustryBrain.Silo.dll");
            if (File.Exists(silo))
            {
                return silo;
            }
        }

        throw new FileNotFoundException($"build the silo first: no silo/bin/{configuration}/net10.0/IndustryBrain.Silo.dll under {root.FullName}");
    }
}
