using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IndustryBrain.Testing;

/// <summary>The HTTP side of a brain as tests and benchmarks use it: an authorized client, registering a firm and planning an order, reading a refusal.</summary>
public static class BrainHttp
{
    /// <summary>A USCC that passes the check digit, for firms whose code does not matter.</summary>
    public const string Uscc = "91500111MA5U3Q7X1D";

    /// <summary>A client on <paramref name="address"/> that sends <paramref name="key"/> as its Bearer token (none when null).</summary>
    public static HttpClient Client(Uri address, string? key, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        var http = new HttpClient(handler ?? new SocketsHttpHandler()) { BaseAddress = address, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>Registers (or updates) an enterprise; fails with the brain's answer unless it succeeded.</summary>
    public static async Task RegisterEnterprise(this HttpClient http, string enterprise, object registration)
    {
        using var response = await http.PutAsJsonAsync($"api/enterprises/{enterprise}", registration);
        await Succeeded(response, $"registering {enterprise}");
    }

    /// <summary>Plans (or replans) an order; answers its JSON; fails with the brain's answer unless it succeeded.</summary>
    public static async Task<JsonElement> PlanOrder(this HttpClient http, string enterprise, string order, object plan)
    {
        using var response = await http.PutAsJsonAsync($"api/enterprises/{enterprise}/orders/{order}", plan);
        var body = await Succeeded(response, $"planning {enterprise}/{order}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Creates an API key (official, admin, or enterprise with its firm) and answers it.</summary>
    public static async Task<string> CreateKey(this HttpClient admin, string role, string? enterprise = null)
    {
        using var response = await admin.PostAsJsonAsync("api/keys", enterprise is null ? new { role } : (object)new { role, enterprise });
        var body = await Succeeded(response, $"making a {role} key");
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }

    /// <summary>The body of a response that must have succeeded; otherwise an exception with its status and body.</summary>
    public static async Task<string> Succeeded(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }

        return body;
    }

    /// <summary>The JSON of a response that must have answered <paramref name="expected"/>.</summary>
    public static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} instead of {(int)expected}: {text}", null, response.StatusCode);
        }

        return JsonNode.Parse(text)!;
    }

    /// <summary>The <c>reason</c> of a refusal's problem details (RFC 7807), or null when the body is none.</summary>
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

    /// <summary>
    /// Sends a request with an optional JSON text; it must answer <paramref name="expect"/> (any success when null).
    /// Answers the body as JSON, or null when it is empty.
    /// </summary>
    public static async Task<JsonNode?> Send(this HttpClient http, HttpMethod method, string path, string? json = null, HttpStatusCode? expect = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (expect is { } status ? response.StatusCode != status : !response.IsSuccessStatusCode)
        {
            var wanted = expect is { } s ? $", not {(int)s}" : "";
            throw new HttpRequestException($"{method} {path} answered {(int)response.StatusCode}{wanted}: {body}", null, response.StatusCode);
        }

        return body.Length == 0 ? null : JsonNode.Parse(body);
    }

    /// <summary>PUT of a JSON text.</summary>
    public static Task<HttpResponseMessage> PutJson(this HttpClient http, string path, string json) =>
        http.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    /// <summary>GET that must answer 200; the body as JSON.</summary>
    public static async Task<JsonElement> GetJson(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls GET <paramref name="path"/> until it answers 200 with a body that satisfies <paramref name="done"/>.</summary>
    public static Task<JsonElement> Until(this HttpClient http, string path, Func<JsonElement, bool> done, string what) =>
        Eventually.Value(() => http.GetJson(path), done, $"GET {path} showing {what}");

    /// <summary>The ingest's counters from /health.</summary>
    public static async Task<IngestCounters> Ingest(this HttpClient http)
    {
        var ingest = (await http.GetJson("health")).GetProperty("ingest");
        return new IngestCounters(
            ingest.GetProperty("received").GetInt64(),
            ingest.GetProperty("applied").GetInt64(),
            ingest.GetProperty("duplicates").GetInt64(),
            ingest.GetProperty("rejected").GetInt64(),
            ingest.GetProperty("failed").GetInt64(),
            ingest.GetProperty("pending").GetInt64());
    }

    /// <summary>Waits until the ingest has settled at least <paramref name="applied"/> and <paramref name="duplicates"/> more than <paramref name="since"/>.</summary>
    public static async Task<IngestCounters> UntilIngested(this HttpClient http, IngestCounters since, long applied, long duplicates)
    {
        await http.Until("health", h =>
        {
            var i = h.GetProperty("ingest");
            return i.GetProperty("applied").GetInt64() >= since.Applied + applied
                && i.GetProperty("duplicates").GetInt64() >= since.Duplicates + duplicates
                && i.GetProperty("pending").GetInt64() == 0;
        }, $"{applied} more applied and {duplicates} more duplicate readings than {since}");
        return await http.Ingest();
    }
}

/// <summary>The ingest's counters as /health reports them.</summary>
public sealed record IngestCounters(long Received, long Applied, long Duplicates, long Rejected, long Failed, long Pending)
{
    /// <summary>Every reading the ingest is done with.</summary>
    public long Settled => Applied + Duplicates + Rejected + Failed;
}
