using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>
/// The built silo as a newcomer runs it: its own logging defaults (no log switches), a fresh store, every
/// line of its output kept. Only what a test must choose is set: loopback ports, the store, and the admin
/// key when <c>adminKey</c> is given (otherwise the first start makes one). Ctrl-C is SIGINT.
/// </summary>
public sealed class PlainSilo : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);
    private readonly List<string> _lines = [];
    private readonly string? _adminKey;
    private Process? _process;

    private PlainSilo(string? adminKey, string[] extra)
    {
        _adminKey = adminKey;
        Extra = extra;
        StoragePath = Path.Combine(Path.GetTempPath(), "ib-plain-" + Guid.NewGuid().ToString("N"));
        var ports = FreePort.Next(4);
        (HttpPort, MqttPort, SiloPort, GatewayPort) = (ports[0], ports[1], ports[2], ports[3]);
    }

    public int HttpPort { get; }
    public int MqttPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string StoragePath { get; }
    public string[] Extra { get; }

    public Uri Api => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>Every line the silo wrote since it was (re)started.</summary>
    public string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    public static async Task<PlainSilo> Start(string? adminKey = null, params string[] extra)
    {
        var silo = new PlainSilo(adminKey, extra);
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

    public async Task Restart()
    {
        lock (_lines)
        {
            _lines.Clear();
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        List<string> arguments =
        [
            BrainProcess.SiloAssembly, "--urls", $"http://127.0.0.1:{HttpPort}", $"--Mqtt:Port={MqttPort}", $"--Storage:Path={StoragePath}",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={GatewayPort}", "--Mqtt:RequireCredentials=false", .. Extra,
        ];
        if (_adminKey is not null)
        {
            arguments.Add($"--Auth:AdminKey={_adminKey}");
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartDeadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the silo was not ready within {StartDeadline}:\n{Output}");
    }

    /// <summary>
    /// Ctrl-C: SIGINT, then waits until the process has exited. A process whose ancestors ignore SIGINT (a
    /// test run started as a background job: bash starts those with SIGINT ignored, and the ignore is
    /// inherited and kept by .NET) cannot be reached by Ctrl-C at all; it gets SIGTERM, which takes the same
    /// path through the host's stop.
    /// </summary>
    public async Task Interrupt()
    {
        var process = _process!;
        var signal = IgnoresSigInt(process.Id) ? "-TERM" : "-INT";
        using (var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // A guard, not a timing: a stop mid-work saves every grain, which takes long on a loaded 2-core machine.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the silo did not exit within 180 s of Ctrl-C; its last lines:\n{string.Join('\n', Lines.TakeLast(60))}");
        }

        process.WaitForExit(); // the last lines of output
    }

    /// <summary>Whether the process ignores SIGINT: bit 1 (signal 2) of SigIgn in /proc/{pid}/status.</summary>
    private static bool IgnoresSigInt(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & 0b10) != 0;
    }

    public HttpClient Http(string key)
    {
        var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public static async Task<JsonNode?> Send(HttpClient http, HttpMethod method, string path, string? json = null, HttpStatusCode? expect = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (expect is { } status)
        {
            Assert.True(response.StatusCode == status, $"{method} {path} answered {(int)response.StatusCode}, not {(int)status}: {body}");
        }
        else
        {
            Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {body}");
        }

        return body.Length == 0 ? null : JsonNode.Parse(body);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
