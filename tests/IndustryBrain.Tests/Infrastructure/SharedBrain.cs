using System.Text.Json;

namespace IndustryBrain.Tests.Infrastructure;

/// <summary>
/// A brain (<see cref="Testing.Brain"/>, the built silo as a child process) shared by a test class or a
/// collection (see Collections.cs), with the HTTP calls its tests make on the administrator's client.
/// </summary>
public sealed class SharedBrain : IAsyncLifetime
{
    private readonly BrainOptions _options = new() { Mode = BrainMode.ChildProcess };
    private Brain? _brain;

    public Brain Brain => _brain ?? throw new InvalidOperationException("the brain was never started");

    public int HttpPort => Brain.HttpPort;

    public int MqttPort => Brain.MqttPort;

    public string StoragePath => Brain.StoragePath;

    /// <summary>A client that sends the administrator key with every request.</summary>
    public HttpClient Http => Brain.Admin;

    public Task InitializeAsync() => Start();

    /// <summary>Starts the brain, or starts it again on the same ports and store after <see cref="Stop"/> or <see cref="Kill"/>.</summary>
    public async Task Start()
    {
        if (_brain is null)
        {
            _brain = await Brain.Start(_options);
        }
        else
        {
            await _brain.Restart();
        }
    }

    public Task<int> Stop() => Brain.Stop();

    public Task Kill() => Brain.Kill();

    public async Task DisposeAsync()
    {
        if (_brain is not null)
        {
            await _brain.DisposeAsync();
        }
    }

    public Task<HttpResponseMessage> Put(string path, string json) => Http.PutJson(path, json);

    public Task<JsonElement> Get(string path) => Http.GetJson(path);

    public Task<JsonElement> Until(string path, Func<JsonElement, bool> done, string what) => Http.Until(path, done, what);

    public Task<IngestCounters> Ingest() => Http.Ingest();

    public Task<IngestCounters> UntilIngested(IngestCounters since, long applied, long duplicates) => Http.UntilIngested(since, applied, duplicates);
}
