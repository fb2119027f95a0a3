using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>
/// One first start of the built silo, shared by <see cref="FirstStartTests"/>: its tests only read (requests add
/// no lines to its output, as the first test checks), so one start serves them all.
/// </summary>
public sealed class FirstStart : IAsyncLifetime
{
    public Brain Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await Brain.Start(NewcomerBrain.Options(adminKey: null));

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>What a newcomer sees at the first start and from the operations endpoints, with the silo's own logging defaults.</summary>
public sealed partial class FirstStartTests(FirstStart first) : IClassFixture<FirstStart>
{
    private readonly Brain _silo = first.Silo;

    [GeneratedRegex("ib_admin_[a-z2-7]{52}")]
    private static partial Regex GeneratedKey();

    [Fact]
    public async Task The_first_start_is_quiet_and_shows_the_generated_admin_key_in_a_banner()
    {
        var lines = _silo.Log.Lines;
        var key = Assert.Single(GeneratedKey().Matches(_silo.Log.Output)).Value;

        // The key stands on a line of its own, ready to paste, between two rules.
        var at = Array.FindIndex(lines, l => l.Contains(key, StringComparison.Ordinal));
        Assert.Equal($"export IB_KEY={key}", lines[at].Trim());
        Assert.Contains(lines[..at], l => l.Trim().StartsWith("=====", StringComparison.Ordinal));
        Assert.Contains(lines[at..], l => l.Trim().StartsWith("=====", StringComparison.Ordinal));

        // Quiet: the framework's information lines (Orleans option dumps, per-request lines) are not shown.
        Assert.True(lines.Length < 60, $"{lines.Length} start-up lines:\n{_silo.Log.Output}");
        Assert.DoesNotContain(lines, l => l.StartsWith("info: Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("info: Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("info: IndustryBrain.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Now listening on: " + _silo.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Trim() == $"State is kept in {_silo.StoragePath}");

        // Requests add no lines.
        var before = _silo.Log.Lines.Length;
        using var http = _silo.Http(key);
        for (var i = 0; i < 5; i++)
        {
            await http.Send(HttpMethod.Get, "api/cockpit");
        }

        Assert.Equal(before, _silo.Log.Lines.Length);
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_200_with_their_checks_and_need_no_key()
    {
        using var http = new HttpClient { BaseAddress = _silo.BaseAddress };
        var live = await http.Send(HttpMethod.Get, "health/live");
        Assert.Equal("Healthy", live!["status"]!.GetValue<string>());

        var ready = await http.Send(HttpMethod.Get, "health/ready");
        Assert.Equal("Healthy", ready!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready["checks"]!["silo"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready["checks"]!["broker"]!["status"]!.GetValue<string>());

        // /health stays as it was.
        var health = await http.Send(HttpMethod.Get, "health");
        Assert.Equal("up", health!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Metrics_carry_the_runtime_and_process_figures()
    {
        using var http = new HttpClient { BaseAddress = _silo.BaseAddress };
        var metrics = await http.GetStringAsync("metrics");
        foreach (var series in new[] { "dotnet_gc_collections_total", "dotnet_gc_pause_time_seconds_total", "dotnet_thread_pool_thread_count",
            "dotnet_process_cpu_time_seconds_total", "dotnet_process_memory_working_set_bytes" })
        {
            Assert.Contains(series, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_and_the_api_page_is_served_from_the_silo()
    {
        using var http = new HttpClient { BaseAddress = _silo.BaseAddress };
        var document = JsonNode.Parse(await http.GetStringAsync("openapi/v1.json"))!;
        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        var cockpit = document["paths"]!["/api/cockpit"]!["get"]!;
        Assert.True(cockpit["security"]![0]!.AsObject().ContainsKey("bearer"));
        Assert.Null(document["paths"]!["/health"]!["get"]!["security"]);

        // The page and its script come from the silo itself (no CDN).
        var page = await http.GetStringAsync("docs/");
        Assert.Contains("IndustryBrain API", page, StringComparison.Ordinal);
        Assert.Contains("<script src=\"scalar.js\">", page, StringComparison.Ordinal);
        using var script = await http.GetAsync("docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }
}
