using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// A brain with its security on (<see cref="Brain"/>, the built silo as a child process: terminals need
/// credentials), for tests that knock on its doors from outside, with the calls they make. All of its output
/// is kept, so a test can read the administrator key it printed, or prove that it printed no secret.
/// </summary>
public sealed class SecuredSilo : IAsyncDisposable
{
    public const string Uscc = BrainHttp.Uscc;
    private readonly Brain _brain;

    private SecuredSilo(Brain brain)
    {
        _brain = brain;
        Http = brain.Http(key: null);
    }

    public int HttpPort => _brain.HttpPort;
    public int MqttPort => _brain.MqttPort;
    public string StoragePath => _brain.StoragePath;

    /// <summary>The configured administrator key (Auth:AdminKey), or null when the silo makes its own.</summary>
    public string? AdminKey => _brain.AdminKey;

    /// <summary>A client without any key; every call names its key itself.</summary>
    public HttpClient Http { get; }

    /// <summary>Everything the silo wrote, across restarts.</summary>
    public string Output => _brain.Log.Output;

    /// <summary>Starts a silo with these extra settings (command-line switches) and waits until /health answers.</summary>
    public static async Task<SecuredSilo> Start(string? adminKey = "secured-test-admin-key", params string[] settings) =>
        new(await Brain.Start(new() { Mode = BrainMode.ChildProcess, AdminKey = adminKey, TerminalCredentials = true, Settings = settings }));

    /// <summary>Starts the silo again on the same ports and store, optionally with another Auth:AdminKey.</summary>
    public Task Restart(string? adminKey = null) => _brain.Restart(_brain.Options with { AdminKey = adminKey ?? AdminKey });

    /// <summary>Stops the silo as an operator would (SIGTERM), so it saves and marks a clean stop.</summary>
    public Task Stop() => _brain.Stop();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _brain.DisposeAsync();
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
    public Task<JsonNode> Drained() =>
        Eventually.Value(async () => (await Ok(HttpMethod.Get, "/health", null))!["ingest"]!, ingest => ingest["pending"]!.GetValue<long>() == 0,
            "the ingest drained (nothing pending)", TimeSpan.FromMinutes(3));

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
    public static Task<string?> Reason(HttpResponseMessage response) => BrainHttp.Reason(response);
}
