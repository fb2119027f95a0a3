using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// A real silo process (the built IndustryBrain.Silo.dll) with its security on, on free loopback ports
/// and a temporary store, for tests that knock on its doors from outside. All of its output is kept, so
/// a test can read the administrator key it printed, or prove that it printed no secret.
/// </summary>
public sealed class SecuredSilo : IAsyncDisposable
{
    public const string Uscc = "91500111MA5U3Q7X1D";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<string> _output = [];
    private readonly string _silo;
    private readonly string[] _settings;
    private Process? _process;

    private SecuredSilo(string? adminKey, string[] settings)
    {
        _silo = FindSilo();
        AdminKey = adminKey;
        _settings = settings;
        StoragePath = Path.Combine(Path.GetTempPath(), "ib-secured-" + Guid.NewGuid().ToString("N"));
        var ports = FreePorts(4);
        (HttpPort, MqttPort, SiloPort, GatewayPort) = (ports[0], ports[1], ports[2], ports[3]);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }
    public int MqttPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string StoragePath { get; }

    /// <summary>The configured administrator key (Auth:AdminKey), or null when the silo makes its own.</summary>
    public string? AdminKey { get; private set; }

    /// <summary>A client without any key; every call names its key itself.</summary>
    public HttpClient Http { get; }

    /// <summary>Everything the silo wrote, across restarts.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts a silo with these extra settings (command-line switches) and waits until /health answers.</summary>
    public static async Task<SecuredSilo> Start(string? adminKey = "secured-test-admin-key", params string[] settings)
    {
        var silo = new SecuredSilo(adminKey, settings);
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

    /// <summary>Starts the silo again on the same ports and store, optionally with another Auth:AdminKey.</summary>
    public async Task Restart(string? adminKey = null)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("the silo is still running");
        }

        AdminKey = adminKey ?? AdminKey;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_silo)!,
        };
        var arguments = new List<string>
        {
            _silo,
            "--urls", $"http://127.0.0.1:{HttpPort}",
            "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={MqttPort}",
            $"--Storage:Path={StoragePath}",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={GatewayPort}",
            "--Logging:LogLevel:Default=Warning",
        };
        if (AdminKey is not null)
        {
            arguments.Add($"--Auth:AdminKey={AdminKey}");
        }

        arguments.AddRange(_settings);
        foreach (var argument in arguments)
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

    /// <summary>Stops the silo as an operator would (SIGTERM), so it saves and marks a clean stop.</summary>
    public async Task Stop()
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        Http.Dispose();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException)
        {
        }
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }

        return request;
    }

    public async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? key, object? body = null)
    {
        using var request = Request(method, path, key, body);
        return await Http.SendAsync(request);
    }

    /// <summary>
    /// Sends a request that must succeed, and answers its JSON body (null when it has none). A 429 (a
    /// silo started with small rate limits) is waited out and sent again.
    /// </summary>
    public async Task<JsonNode?> Ok(HttpMethod method, string path, string? key, object? body = null)
    {
        var response = await Send(method, path, key, body);
        for (var attempt = 0; response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 60; attempt++)
        {
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
            response = await Send(method, path, key, body);
        }

        using var answered = response;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Registers an enterprise as the administrator.</summary>
    public Task Register(string enterprise) =>
        Ok(HttpMethod.Put, $"/api/enterprises/{enterprise}", AdminKey, new { name = $"Firm {enterprise}", uscc = Uscc });

    /// <summary>Creates an API key as the administrator: official, admin, or enterprise:{id}.</summary>
    public async Task<(string KeyId, string Key)> CreateKey(string role, string? enterprise = null)
    {
        var answer = await Ok(HttpMethod.Post, "/api/keys", AdminKey, enterprise is null ? new { role } : new { role, enterprise });
        return (answer!["keyId"]!.GetValue<string>(), answer["key"]!.GetValue<string>());
    }

    /// <summary>Issues (or rotates) a terminal's MQTT credential as the administrator; answers its password.</summary>
    public async Task<string> IssueCredential(string enterprise, string terminal)
    {
        var answer = await Ok(HttpMethod.Post, $"/api/enterprises/{enterprise}/terminals/{terminal}/credential", AdminKey);
        return answer!["password"]!.GetValue<string>();
    }

    /// <summary>Waits until the ingest has applied everything it took (the /health counters).</summary>
    public async Task<JsonNode> Drained()
    {
        while (true)
        {
            var health = await Ok(HttpMethod.Get, "/health", null);
            if (health!["ingest"]!["pending"]!.GetValue<long>() == 0)
            {
                return health["ingest"]!;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The silo's /metrics value of one series (0 when absent).</summary>
    public async Task<double> Metric(string series)
    {
        var text = await Http.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal) && line.Length > series.Length && line[series.Length] is ' ' or '{')
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                return double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>
    /// The series' value once it reaches <paramref name="expected"/>, or its last value after 10 s: the
    /// Prometheus exporter answers from a cache that is refreshed a few times a second.
    /// </summary>
    public async Task<double> MetricReaching(string series, double expected)
    {
        var value = await Metric(series);
        for (var i = 0; i < 100 && value < expected; i++)
        {
            await Task.Delay(100);
            value = await Metric(series);
        }

        return value;
    }

    /// <summary>The series' value once two reads half a second apart (longer than the exporter's cache) agree.</summary>
    public async Task<double> MetricSettled(string series)
    {
        var value = await Metric(series);
        while (true)
        {
            await Task.Delay(500);
            var again = await Metric(series);
            if (again == value)
            {
                return value;
            }

            value = again;
        }
    }

    /// <summary>The problem details' <c>reason</c> of a refused request.</summary>
    public static async Task<string?> Reason(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonNode.Parse(text)?["reason"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task WaitHealthy(Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("/health");
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

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"the silo did not answer /health in {StartTimeout.TotalSeconds} s:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    private static int[] FreePorts(int count) => IndustryBrain.Tests.Infrastructure.FreePort.Next(count);

    /// <summary>A free loopback port for something else the test starts (a Mosquitto broker).</summary>
    public static int FreePort() => FreePorts(1)[0];

    private static string FindSilo()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent?.Name ?? "Debug";
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

        throw new FileNotFoundException($"build the silo first: no silo/bin/{configuration}/net10.0/IndustryBrain.Silo.dll");
    }
}
