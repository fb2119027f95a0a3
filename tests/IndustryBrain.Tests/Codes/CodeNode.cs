using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Bundles;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Codes;

/// <summary>Helpers for the identifier node's tests against the real brain: a firm with an approved prefix, and its codes.</summary>
public static class CodeNode
{
    public const string Node = "88.118.5";

    public static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} instead of {(int)expected}: {text}");
        return JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> Refused(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await Json(response, status);
        Assert.Equal(reason, (string?)body["reason"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["detail"]));
        return body;
    }

    /// <summary>Registers the firm, applies for its prefix and approves it; answers the prefix.</summary>
    public static async Task<string> ApprovedFirm(HttpClient admin, string enterprise, int n, string? shopUrl = null, string chainNode = "knives", string? name = null)
    {
        await admin.RegisterEnterprise(enterprise, new { name = name ?? $"Firm {n}", uscc = BundleApiTests.UsccFor(n), chainNode, park = "龙水五金产业园", shopUrl });
        var applied = await Json(await admin.PutAsync($"/api/enterprises/{enterprise}/prefix", null), HttpStatusCode.Created);
        var prefix = (string)applied["prefix"]!;
        await Json(await admin.PostAsync($"/api/prefixes/{prefix}/approve", null), HttpStatusCode.OK);
        return prefix;
    }

    public static object KnifeCodes(string order, long quantity, string? gtin = null, object? attributes = null) => new
    {
        order,
        quantity,
        template = "knives",
        product = "桑刀 8寸 slaughter knife 8in",
        attributes = attributes ?? new { bladeSteel = "5Cr15MoV", bladeLength = "200", hardness = "56" },
        gtin,
        productionDate = "2026-11-28",
    };

    public static async Task<JsonNode> Allocate(HttpClient http, string enterprise, object request) =>
        await Json(await http.PostAsJsonAsync($"/api/enterprises/{enterprise}/codes", request), HttpStatusCode.Created);

    /// <summary>Every line of a range's export (CSV without its header): handle, serial, code, url.</summary>
    public static async Task<string[][]> Export(HttpClient http, string enterprise, string order, long first)
    {
        var text = await http.GetStringAsync($"/api/enterprises/{enterprise}/codes/{order}/{first}/export");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("handle,serial,code,url", lines[0]);
        return [.. lines.Skip(1).Select(l => l.Split(','))];
    }

    public static async Task<JsonNode> Scan(HttpClient http, string prefix, string suffix, string? code, string? place = null) =>
        await Json(await http.PostAsJsonAsync($"/api/scans/{prefix}/{suffix}", new { code, place }), HttpStatusCode.OK);

    public static HttpClient Anonymous(Brain brain) => brain.Http(key: null);
}
