using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.History;

/// <summary>What the history tests do to a brain in process: register, plan, publish, and wait on /health for the archive.</summary>
public static class HistoryTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>Starts a brain whose archive is PostgreSQL (a connection string) or the embedded SQLite file (null).</summary>
    public static Task<IndustryBrain.Testing.Brain> Brain(string? connectionString, params string[] extra) =>
        IndustryBrain.Testing.Brain.Start(new() { Settings = [.. connectionString is null ? [] : new[] { $"--History:ConnectionString={connectionString}" }, .. extra] });

    public static Task Register(HttpClient http, string enterprise, string chainNode = "knives") =>
        http.RegisterEnterprise(enterprise, new { name = "重庆巧锋刀具有限公司", uscc = BrainHttp.Uscc, chainNode, park = "龙水" });

    public static Task Plan(HttpClient http, string enterprise, string order, long quantity, decimal unitPrice, params string[] steps) =>
        http.PlanOrder(enterprise, order, new
        {
            product = "slaughter knife 8in",
            quantity,
            unitPrice,
            due = DateTimeOffset.UtcNow.AddDays(3),
            routing = steps.Select(s => new { step = s, name = s }).ToArray(),
        });

    public static async Task<string> Key(HttpClient admin, string role, string? enterprise = null)
    {
        using var response = await admin.PostAsJsonAsync("/api/keys", new { role, enterprise });
        Assert.True(response.IsSuccessStatusCode, $"making a {role} key: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public static string Reading(string order, string step, long seq, long good, long scrap, DateTimeOffset ts, int run = 0) =>
        $$"""{"order":"{{order}}","step":"{{step}}","run":{{run}},"seq":{{seq}},"good":{{good}},"scrap":{{scrap}},"ts":"{{ts.UtcDateTime:O}}"}""";

    public static async Task<JsonElement> Health(HttpClient http) =>
        await http.GetFromJsonAsync<JsonElement>("/health") is var health ? health.GetProperty("history") : default;

    /// <summary>Waits until the archive wrote at least <paramref name="readings"/> readings and has nothing queued or in hand.</summary>
    public static Task<JsonElement> Archived(HttpClient http, long readings) =>
        Until(http, "/health", h =>
        {
            var history = h.GetProperty("history");
            return history.GetProperty("readingsWritten").GetInt64() >= readings && history.GetProperty("queued").GetInt64() == 0
                && history.GetProperty("lagSeconds").GetDouble() == 0;
        }, $"{readings} readings archived");

    /// <summary>Polls a JSON GET until <paramref name="done"/> holds (no fixed sleeps: the condition decides).</summary>
    public static async Task<JsonElement> Until(HttpClient http, string path, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        var last = "";
        while (true)
        {
            using (var response = await http.GetAsync(path))
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable)
                {
                    var body = JsonDocument.Parse(last[4..]).RootElement.Clone();
                    if (response.StatusCode == HttpStatusCode.OK && done(body))
                    {
                        return body;
                    }

                    if (path == "/health" && done(body))
                    {
                        return body;
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"GET {path} did not show {what} within {Deadline}; last answer: {last}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until a condition holds.</summary>
    public static Task Until(Func<Task<bool>> done, string what) => Eventually.True(done, what, Deadline);

    /// <summary>A problem's status and reason.</summary>
    public static async Task<(HttpStatusCode Status, string? Reason)> Problem(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        string? reason = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            reason = JsonDocument.Parse(text).RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
        }

        return (response.StatusCode, reason);
    }
}
