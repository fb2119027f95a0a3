using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace IndustryBrain.Client.Api;

/// <summary>An answer of the brain that is not a success: the problem details' reason and detail.</summary>
public sealed class BrainProblem(int status, string reason, string detail) : Exception($"{reason}: {detail}")
{
    public int Status { get; } = status;
    public string Reason { get; } = reason;
    public string Detail { get; } = detail;
}

/// <summary>The brain's HTTP API (docs/contract.md, "HTTP") with the caller's Bearer key.</summary>
public sealed class BrainApi : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    public BrainApi(Uri address, string? key, HttpMessageHandler? handler = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (!string.IsNullOrEmpty(key))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    /// <summary>A path of escaped segments: Path("api", "enterprises", id) is "/api/enterprises/{id}".</summary>
    public static string Path(params string[] segments) => "/" + string.Join('/', segments.Select(Uri.EscapeDataString));

    /// <summary>Sends a request and answers the body as text; a problem answer throws <see cref="BrainProblem"/>.</summary>
    public Task<string> Send(HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default) =>
        Send(method, path, body is null ? null : JsonContent.Create(body, body.GetType(), options: Json), cancellationToken);

    /// <summary>Sends a request with a body as it is (a CSV file, a JSON file) and answers the body as text.</summary>
    public async Task<string> Send(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Problem((int)response.StatusCode, response.ReasonPhrase, text);
        }

        return text;
    }

    /// <summary>Streams a GET answer's body into <paramref name="destination"/> as it arrives (a long export); a problem throws.</summary>
    public async Task Download(string path, Stream destination, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Problem((int)response.StatusCode, response.ReasonPhrase, await response.Content.ReadAsStringAsync(cancellationToken));
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    public async Task<T> Get<T>(string path, CancellationToken cancellationToken = default) =>
        Parse<T>(await Send(HttpMethod.Get, path, null, cancellationToken));

    public async Task<T> Put<T>(string path, object body, CancellationToken cancellationToken = default) =>
        Parse<T>(await Send(HttpMethod.Put, path, body, cancellationToken));

    public static T Parse<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new BrainProblem(0, "empty-answer", "the brain answered null");

    /// <summary>Reads RFC 9457 problem details; anything else becomes http-{status} with the first line of the body.</summary>
    public static BrainProblem Problem(int status, string? phrase, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var reason = Text(root, "reason") ?? Text(root, "title") ?? $"http-{status}";
                var detail = Text(root, "detail") ?? Text(root, "title") ?? phrase ?? "";
                return new BrainProblem(status, reason, detail);
            }
        }
        catch (JsonException)
        {
        }

        var line = body.Split('\n', 2)[0].Trim();
        return new BrainProblem(status, $"http-{status}", line.Length > 0 ? line : phrase ?? "no detail");
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public void Dispose() => _http.Dispose();
}
