using System.Diagnostics;
using System.Globalization;
using System.Net;
using IndustryBrain.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace IndustryBrain.Testing;

/// <summary>
/// The one way tests and benchmarks start a real brain (Kestrel, Orleans, the MQTT broker or a client of an
/// external one, SQLite) on free loopback ports with its own store: in this process or as the built silo in a
/// process of its own (<see cref="BrainOptions.Mode"/>). It can be stopped cleanly, killed (a crash: child
/// process only) and started again on the same ports and store; everything it writes is kept in <see cref="Log"/>.
/// </summary>
public sealed class Brain : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(180);
    private WebApplication? _app;
    private Process? _process;
    private HttpClient? _admin;
    private readonly EventHandler _onExit;

    private Brain(BrainOptions options)
    {
        Options = options;
        StoragePath = options.StoragePath ?? Path.Combine(Path.GetTempPath(), "ib-brain-" + Guid.NewGuid().ToString("N"));
        Log = new BrainLog(options.LogFile);
        PickPorts();
        _onExit = (_, _) => KillNow();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public BrainOptions Options { get; private set; }

    public int HttpPort { get; private set; }

    public int MqttPort { get; private set; }

    public int SiloPort { get; private set; }

    public int GatewayPort { get; private set; }

    public string StoragePath { get; }

    /// <summary>The configured administrator key (null when the silo makes its own).</summary>
    public string? AdminKey => Options.AdminKey;

    /// <summary>http://127.0.0.1:{HttpPort}/</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");

    public BrainLog Log { get; }

    public bool IsRunning => _app is not null || _process is { HasExited: false };

    /// <summary>The running brain's services, in process (to look at a figure no endpoint shows).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("no brain runs in this process");

    /// <summary>The child process's id.</summary>
    public int ProcessId => (_process ?? throw new InvalidOperationException("the brain is not a child process")).Id;

    /// <summary>The CPU time the child process used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var process = _process ?? throw new InvalidOperationException("the brain is not a child process");
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>A client that sends the administrator key with every request (kept for the brain's life).</summary>
    public HttpClient Admin => _admin ??= Http(AdminKey);

    /// <summary>Starts a brain and waits until it answers <see cref="BrainOptions.ReadyPath"/>.</summary>
    public static async Task<Brain> Start(BrainOptions? options = null)
    {
        var brain = new Brain(options ?? new BrainOptions());
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await brain.Run();
                    return brain;
                }
                catch (Exception e) when (attempt < 3 && AddressInUse(e, brain.Log))
                {
                    await brain.StopQuietly();
                    brain.PickPorts();
                }
            }
        }
        catch
        {
            await brain.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new client on the brain's address with this key (none when null).</summary>
    public HttpClient Http(string? key) => BrainHttp.Client(BaseAddress, key);

    /// <summary>A new client on the brain's address with the administrator key.</summary>
    public HttpClient Http() => Http(AdminKey);

    /// <summary>Starts the brain again on the same ports and store, optionally with other options (another admin key, settings).</summary>
    public async Task Restart(BrainOptions? options = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the brain is still running");
        }

        if (options is not null && options.AdminKey != Options.AdminKey)
        {
            _admin?.Dispose();
            _admin = null;
        }

        Options = options ?? Options;
        await Run();
    }

    /// <summary>A clean stop (in process: the host's stop; a child: SIGTERM, as a service manager sends); every grain saves. Answers the exit code.</summary>
    public Task<int> Stop() => _app is not null ? StopInProcess() : Signal("-TERM");

    /// <summary>Ctrl-C of a child process: SIGINT (SIGTERM when the process ignores SIGINT, as under a background job).</summary>
    public Task<int> Interrupt()
    {
        var process = _process ?? throw new InvalidOperationException("Ctrl-C needs a child process");
        return Signal(IgnoresSigInt(process.Id) ? "-TERM" : "-INT");
    }

    /// <summary>A crash (SIGKILL): nothing unsaved is saved, the clean-stop mark is not written. Child process only.</summary>
    public async Task Kill()
    {
        var process = _process ?? throw new InvalidOperationException("only a child process can be killed");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopQuietly();
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        _admin?.Dispose();
        Log.Dispose();
        if (!Options.KeepStorage)
        {
            try
            {
                Directory.Delete(StoragePath, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private Task Run() => Options.Mode == BrainMode.InProcess ? RunInProcess() : RunChild();

    private List<string> Arguments()
    {
        List<string> arguments =
        [
            $"--urls=http://127.0.0.1:{HttpPort}", "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={MqttPort}", $"--Storage:Path={StoragePath}",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={GatewayPort}",
        ];
        if (Options.AdminKey is not null)
        {
            arguments.Add($"--Auth:AdminKey={Options.AdminKey}");
        }

        if (!Options.TerminalCredentials)
        {
            arguments.Add("--Mqtt:RequireCredentials=false");
        }

        if (Options.Broker is not null)
        {
            arguments.Add($"--Mqtt:Broker={Options.Broker}");
        }

        arguments.AddRange(Options.Logging);
        arguments.AddRange(Options.Settings);
        return arguments;
    }

    private async Task RunInProcess()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. Arguments()], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders().AddProvider(new Unowned(Log));
        builder.AddIndustryBrain();
        var app = builder.Build().MapIndustryBrain();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        _app = app;
    }

    private async Task RunChild()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var silo = Options.SiloAssembly ?? SiloBuild.Assembly;
        start.WorkingDirectory = Options.WorkingDirectory ?? Path.GetDirectoryName(silo)!;
        start.ArgumentList.Add(silo);
        foreach (var argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Options.Environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Log.Add(e.Data);
        process.ErrorDataReceived += (_, e) => Log.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;
        await Ready(process);
    }

    private async Task Ready(Process process)
    {
        using var http = BrainHttp.Client(BaseAddress, key: null, TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartDeadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {process.ExitCode}:\n{Log.Recent}");
            }

            try
            {
                using var response = await http.GetAsync(Options.ReadyPath.TrimStart('/'));
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

        KillNow();
        throw new TimeoutException($"the silo did not answer {Options.ReadyPath} within {StartDeadline.TotalSeconds} s:\n{Log.Recent}");
    }

    private async Task<int> StopInProcess()
    {
        var app = _app!;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
        return 0;
    }

    private async Task<int> Signal(string signal)
    {
        var process = _process ?? throw new InvalidOperationException("the brain was never started");
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                if (kill.ExitCode != 0)
                {
                    throw new InvalidOperationException($"kill {signal} {process.Id} exited with {kill.ExitCode}");
                }
            }

            // A guard, not a timing: a stop mid-work saves every grain, which takes long on a loaded 2-core machine.
            using var timeout = new CancellationTokenSource(StopDeadline);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                KillNow();
                throw new TimeoutException($"the silo did not exit within {StopDeadline.TotalSeconds} s of kill {signal}:\n{Log.Recent}");
            }
        }

        process.WaitForExit(); // the last lines of output
        return process.ExitCode;
    }

    private async Task StopQuietly()
    {
        if (_app is not null)
        {
            await StopInProcess();
        }

        KillNow();
        if (_process is { } process)
        {
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    private void KillNow()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    private void PickPorts()
    {
        var ports = FreePort.Next(4);
        (HttpPort, MqttPort, SiloPort, GatewayPort) = (ports[0], ports[1], ports[2], ports[3]);
    }

    private static bool AddressInUse(Exception e, BrainLog log) =>
        e.ToString().Contains("address already in use", StringComparison.OrdinalIgnoreCase)
        || log.Recent.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the process ignores SIGINT: bit 1 (signal 2) of SigIgn in /proc/{pid}/status.</summary>
    private static bool IgnoresSigInt(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & 0b10) != 0;
    }

    /// <summary>The log as a provider the host does not dispose (it lives across restarts).</summary>
    private sealed class Unowned(BrainLog log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => log.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
