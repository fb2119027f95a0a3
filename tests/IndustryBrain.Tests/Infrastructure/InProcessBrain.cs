using System.Net.Http.Headers;
using IndustryBrain.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace IndustryBrain.Tests.Infrastructure;

/// <summary>
/// The real brain (Kestrel on loopback, Orleans, the embedded broker, SQLite) hosted inside the
/// test process, for tests that restart it cleanly. Tests that crash it use a separate process.
/// </summary>
public sealed class InProcessBrain : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";
    private WebApplication? _app;

    private InProcessBrain(string storagePath)
    {
        StoragePath = storagePath;
        HttpPort = FreePort.Next();
        MqttPort = FreePort.Next();
        SiloPort = FreePort.Next();
        GatewayPort = FreePort.Next();
    }

    public string StoragePath { get; }
    public int HttpPort { get; }
    public int MqttPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>The running brain's services (to look at a figure no endpoint shows).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("the brain is not running");

    public static async Task<InProcessBrain> Start(string? storagePath = null, params string[] extraArgs)
    {
        var brain = new InProcessBrain(storagePath ?? Path.Combine(Path.GetTempPath(), "ib-test-" + Guid.NewGuid().ToString("N")));
        await brain.StartAgain(extraArgs);
        return brain;
    }

    /// <summary>Starts the brain (again) on the same ports and storage.</summary>
    public async Task StartAgain(params string[] extraArgs)
    {
        string[] args =
        [
            $"--urls=http://127.0.0.1:{HttpPort}", $"--Mqtt:Port={MqttPort}", $"--Storage:Path={StoragePath}",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={GatewayPort}", $"--Auth:AdminKey={AdminKey}",
            "--Mqtt:RequireCredentials=false", .. extraArgs,
        ];
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.ClearProviders().AddFilter(level => level >= LogLevel.Warning).AddConsole();
        builder.AddIndustryBrain();
        _app = builder.Build().MapIndustryBrain();
        await _app.StartAsync();
    }

    /// <summary>A clean stop: every grain saves its state.</summary>
    public async Task Stop()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public HttpClient Http(string key = AdminKey)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await Stop();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
