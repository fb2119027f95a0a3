using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace IndustryBrain.Bench.Fleet;

/// <summary>The coordinator's handle on one worker process: its commands, its answers, its latest status.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _spec;
    private readonly Channel<(string Kind, JsonElement Body)> _answers = Channel.CreateUnbounded<(string, JsonElement)>();
    private volatile StrongBox<JsonElement>? _status;

    private WorkerProcess(Process process, string spec)
    {
        _process = process;
        _spec = spec;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Console.Error.WriteLine($"  worker {process.Id}: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Terminals { get; private init; }

    public int ProcessId => _process.Id;

    public static WorkerProcess Start(WorkerSpec spec)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ib-fleet-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the terminals' passwords
        }

        File.WriteAllText(path, JsonSerializer.Serialize(spec));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        start.ArgumentList.Add("worker");
        start.ArgumentList.Add(path);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("a worker did not start");
        return new WorkerProcess(process, path) { Terminals = spec.Terminals.Length };
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _answers.Writer.TryComplete();
            return;
        }

        var space = line.IndexOf(' ');
        if (space < 0)
        {
            return;
        }

        var kind = line[..space];
        var body = JsonDocument.Parse(line[(space + 1)..]).RootElement.Clone();
        if (kind == "status")
        {
            _status = new StrongBox<JsonElement>(body);
        }
        else
        {
            _answers.Writer.TryWrite((kind, body));
        }
    }

    public long Status(string field) =>
        _status is { } status ? status.Value.GetProperty(field).GetInt64() : 0;

    public async Task<JsonElement> Command(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var (_, body) = await _answers.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(5));
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("quit");
                await _process.StandardInput.FlushAsync();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            }
        }
        catch (Exception)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        File.Delete(_spec);
    }
}
