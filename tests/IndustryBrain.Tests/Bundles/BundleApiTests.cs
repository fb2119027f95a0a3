using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Domain;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Bundles;

/// <summary>One brain for the bundle tests that need no restart.</summary>
public sealed class BundleBrain : IAsyncLifetime
{
    public Brain Brain { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Brain = await Brain.Start();
        Http = Brain.Http();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Brain.DisposeAsync();
    }
}

public sealed class BundleApiTests(BundleBrain fixture) : IClassFixture<BundleBrain>
{
    private readonly HttpClient _http = fixture.Http;

    internal static string UsccFor(int n)
    {
        var body = $"91500111{n:D9}";
        return body + Uscc.CheckCharacter(body);
    }

    internal static async Task Register(HttpClient http, string enterprise, int n)
    {
        var response = await http.PutAsJsonAsync($"/api/enterprises/{enterprise}", new { name = $"Firm {n}", uscc = UsccFor(n), chainNode = "knives" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    internal static object SteelTerms(DateTimeOffset closesAt) => new
    {
        material = "5Cr15MoV stainless strip 2.5mm",
        unit = "t",
        supplier = "Baowu",
        listPrice = 21000,
        tiers = new[] { new { minQuantity = 50, unitPrice = 20600 }, new { minQuantity = 200, unitPrice = 20300 } },
        minQuantity = 50,
        closesAt,
    };

    private static async Task<JsonObject> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<string> Snapshot(string bundle) => await _http.GetStringAsync($"/api/bundles/{bundle}");

    private async Task AssertRefused(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await Json(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(reason, (string?)body["reason"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["detail"]));
    }

    [Fact]
    public async Task Five_hundred_enterprises_pledging_at_once_add_up_exactly_and_each_gets_its_record()
    {
        const int firms = 500;
        var ids = Enumerable.Range(0, firms).Select(i => $"conc-{i:D3}").ToArray();
        foreach (var chunk in ids.Select((id, i) => (id, i)).Chunk(50))
        {
            await Task.WhenAll(chunk.Select(x => Register(_http, x.id, 1000 + x.i)));
        }

        var opened = await _http.PutAsJsonAsync("/api/bundles/conc-steel", SteelTerms(DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);

        static decimal QuantityOf(int i) => (i % 7) + 0.5m;
        var answers = await Task.WhenAll(ids.Select((id, i) =>
            _http.PutAsJsonAsync($"/api/bundles/conc-steel/pledges/{id}", new { quantity = QuantityOf(i) })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));

        var expectedTotal = Enumerable.Range(0, firms).Sum(QuantityOf);
        var view = JsonNode.Parse(await Snapshot("conc-steel"))!;
        Assert.Equal(expectedTotal, (decimal)view["totalQuantity"]!);
        Assert.Equal(firms, (int)view["participants"]!);
        Assert.Equal(1, (int)view["tierReached"]!);
        Assert.Equal(20300m, (decimal)view["unitPrice"]!);
        var pledges = view["pledges"]!.AsArray().ToDictionary(p => (string)p!["enterprise"]!, p => (decimal)p!["quantity"]!);
        Assert.Equal(ids.Select((id, i) => (id, QuantityOf(i))).ToDictionary(), pledges);

        var closed = await Json(await _http.PostAsync("/api/bundles/conc-steel/close", null));
        Assert.Equal("closed", (string?)closed["state"]);
        Assert.Equal(700m * expectedTotal, (decimal)closed["savings"]!);

        for (var i = 0; i < firms; i++)
        {
            var firm = JsonNode.Parse(await _http.GetStringAsync($"/api/enterprises/{ids[i]}"))!;
            var record = Assert.Single(firm["procurement"]!.AsArray());
            Assert.Equal("conc-steel", (string?)record!["bundle"]);
            Assert.Equal(QuantityOf(i), (decimal)record["quantity"]!);
            Assert.Equal(20300m * QuantityOf(i), (decimal)record["cost"]!);
            Assert.Equal(700m * QuantityOf(i), (decimal)record["savings"]!);
            Assert.Equal(700m * QuantityOf(i), (decimal)firm["procurementSavings"]!);
        }
    }

    [Fact]
    public async Task The_same_pledge_twice_changes_nothing_and_a_second_quantity_replaces_the_first()
    {
        await Register(_http, "idem-a", 2001);
        await _http.PutAsJsonAsync("/api/bundles/idem-steel", SteelTerms(DateTimeOffset.UtcNow.AddHours(1)));

        var first = await (await _http.PutAsJsonAsync("/api/bundles/idem-steel/pledges/idem-a", new { quantity = 60 })).Content.ReadAsStringAsync();
        var again = await (await _http.PutAsJsonAsync("/api/bundles/idem-steel/pledges/idem-a", new { quantity = 60 })).Content.ReadAsStringAsync();
        Assert.Equal(first, again);
        Assert.Equal(60m, (decimal)JsonNode.Parse(first)!["totalQuantity"]!);
        Assert.Equal(20600m, (decimal)JsonNode.Parse(first)!["unitPrice"]!);

        var replaced = JsonNode.Parse(await (await _http.PutAsJsonAsync("/api/bundles/idem-steel/pledges/idem-a", new { quantity = 20 })).Content.ReadAsStringAsync())!;
        Assert.Equal(20m, (decimal)replaced["totalQuantity"]!);
        Assert.Equal(21000m, (decimal)replaced["unitPrice"]!);
        Assert.Equal(0m, (decimal)replaced["savings"]!);

        var withdrawn = JsonNode.Parse(await (await _http.DeleteAsync("/api/bundles/idem-steel/pledges/idem-a")).Content.ReadAsStringAsync())!;
        Assert.Equal(0m, (decimal)withdrawn["totalQuantity"]!);
        Assert.Empty(withdrawn["pledges"]!.AsArray());
        await AssertRefused(await _http.DeleteAsync("/api/bundles/idem-steel/pledges/idem-a"), HttpStatusCode.NotFound, "unknown-pledge");
    }

    [Fact]
    public async Task Every_bad_input_is_refused_with_its_reason_and_nothing_stored_changes()
    {
        await Register(_http, "bad-a", 3001);
        await _http.PutAsJsonAsync("/api/bundles/bad-steel", SteelTerms(DateTimeOffset.UtcNow.AddHours(1)));
        await _http.PutAsJsonAsync("/api/bundles/bad-steel/pledges/bad-a", new { quantity = 70 });
        var before = await Snapshot("bad-steel");

        async Task Put(string path, string json, HttpStatusCode status, string reason) =>
            await AssertRefused(await _http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json")), status, reason);

        await Put("/api/bundles/bad-steel/pledges/bad-a", """{"quantity":-5}""", HttpStatusCode.BadRequest, "invalid-quantity");
        await Put("/api/bundles/bad-steel/pledges/bad-a", """{"quantity":0}""", HttpStatusCode.BadRequest, "invalid-quantity");
        await Put("/api/bundles/bad-steel/pledges/bad-a", """{"quantity":99999999999}""", HttpStatusCode.BadRequest, "invalid-quantity");
        await Put("/api/bundles/bad-steel/pledges/bad-a", """{}""", HttpStatusCode.BadRequest, "invalid-quantity");
        await Put("/api/bundles/bad-steel/pledges/bad-a", """{"quantity":"lots"}""", HttpStatusCode.BadRequest, "invalid-field");
        await Put("/api/bundles/bad-steel/pledges/bad-a", """{"quantity":""", HttpStatusCode.BadRequest, "malformed-json");
        await Put("/api/bundles/bad-steel/pledges/nobody-here", """{"quantity":5}""", HttpStatusCode.NotFound, "unknown-enterprise");
        await Put("/api/bundles/bad-steel/pledges/bad%20a", """{"quantity":5}""", HttpStatusCode.BadRequest, "invalid-id");
        await Put("/api/bundles/no-such-bundle/pledges/bad-a", """{"quantity":5}""", HttpStatusCode.NotFound, "unknown-bundle");

        var outOfOrder = JsonSerializer.Serialize(new
        {
            material = "brass",
            unit = "t",
            listPrice = 50000,
            minQuantity = 10,
            closesAt = DateTimeOffset.UtcNow.AddDays(1),
            tiers = new[] { new { minQuantity = 20, unitPrice = 49000 }, new { minQuantity = 10, unitPrice = 48000 } },
        });
        await Put("/api/bundles/bad-brass", outOfOrder, HttpStatusCode.BadRequest, "invalid-tiers");
        var past = JsonSerializer.Serialize(SteelTerms(DateTimeOffset.UtcNow.AddMinutes(-1)));
        await Put("/api/bundles/bad-past", past, HttpStatusCode.BadRequest, "closes-in-past");
        await Put("/api/bundles/bad-steel", JsonSerializer.Serialize(SteelTerms(DateTimeOffset.UtcNow.AddDays(3))), HttpStatusCode.Conflict, "bundle-exists");
        await Put("/api/bundles/bad~steel", JsonSerializer.Serialize(SteelTerms(DateTimeOffset.UtcNow.AddDays(3))), HttpStatusCode.BadRequest, "invalid-id");

        Assert.Equal(before, await Snapshot("bad-steel"));
        await AssertRefused(await _http.GetAsync("/api/bundles/bad-brass"), HttpStatusCode.NotFound, "unknown-bundle");
        await AssertRefused(await _http.GetAsync("/api/bundles/bad-past"), HttpStatusCode.NotFound, "unknown-bundle");
    }

    [Fact]
    public async Task A_closed_failed_or_cancelled_bundle_refuses_pledges_and_withdrawals()
    {
        await Register(_http, "late-a", 4001);
        foreach (var id in new[] { "late-closed", "late-failed", "late-cancelled" })
        {
            await _http.PutAsJsonAsync($"/api/bundles/{id}", SteelTerms(DateTimeOffset.UtcNow.AddHours(1)));
        }

        await _http.PutAsJsonAsync("/api/bundles/late-closed/pledges/late-a", new { quantity = 55 });
        await _http.PutAsJsonAsync("/api/bundles/late-failed/pledges/late-a", new { quantity = 5 });
        Assert.Equal("closed", (string?)(await Json(await _http.PostAsync("/api/bundles/late-closed/close", null)))["state"]);
        Assert.Equal("failed", (string?)(await Json(await _http.PostAsync("/api/bundles/late-failed/close", null)))["state"]);
        Assert.Equal("cancelled", (string?)(await Json(await _http.PostAsync("/api/bundles/late-cancelled/cancel", null)))["state"]);

        foreach (var (id, state) in new[] { ("late-closed", "closed"), ("late-failed", "failed"), ("late-cancelled", "cancelled") })
        {
            var before = await Snapshot(id);
            await AssertRefused(await _http.PutAsJsonAsync($"/api/bundles/{id}/pledges/late-a", new { quantity = 500 }), HttpStatusCode.Conflict, $"bundle-{state}");
            await AssertRefused(await _http.DeleteAsync($"/api/bundles/{id}/pledges/late-a"), HttpStatusCode.Conflict, $"bundle-{state}");
            await AssertRefused(await _http.PostAsync($"/api/bundles/{id}/close", null), HttpStatusCode.Conflict, $"bundle-{state}");
            Assert.Equal(before, await Snapshot(id));
        }

        var firm = JsonNode.Parse(await _http.GetStringAsync("/api/enterprises/late-a"))!;
        var record = Assert.Single(firm["procurement"]!.AsArray());
        Assert.Equal("late-closed", (string?)record!["bundle"]);
        Assert.Equal(55m * 400, (decimal)firm["procurementSavings"]!);

        var list = JsonNode.Parse(await _http.GetStringAsync("/api/bundles"))!.AsArray();
        var states = list.Select(b => (string)b!["state"]!).ToList();
        Assert.True(states.IndexOf("open") < states.IndexOf("closed") || !states.Contains("open"), string.Join(",", states));
    }
}

public sealed class BundleRestartTests
{
    [Fact]
    public async Task A_bundle_whose_deadline_passes_while_the_brain_is_stopped_closes_once_on_the_next_start()
    {
        await using var brain = await Brain.Start();
        using (var http = brain.Http())
        {
            for (var i = 0; i < 3; i++)
            {
                await BundleApiTests.Register(http, $"rs-{i}", 5001 + i);
            }

            var closesAt = DateTimeOffset.UtcNow.AddSeconds(6);
            Assert.Equal(HttpStatusCode.Created, (await http.PutAsJsonAsync("/api/bundles/rs-steel", BundleApiTests.SteelTerms(closesAt))).StatusCode);
            foreach (var (firm, quantity) in new[] { ("rs-0", 100m), ("rs-1", 80m), ("rs-2", 40m) })
            {
                Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/bundles/rs-steel/pledges/{firm}", new { quantity })).StatusCode);
            }

            await brain.Stop();
            var wait = closesAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        await brain.Restart();
        using var again = brain.Http();

        // Without touching the bundle, its deadline reminder closes it and every participant hears it.
        JsonNode? firm0 = null;
        await Eventually.Holds(async () =>
        {
            firm0 = JsonNode.Parse(await again.GetStringAsync("/api/enterprises/rs-0"));
            return firm0!["procurement"]!.AsArray().Count > 0;
        }, TimeSpan.FromMinutes(3));

        var record = Assert.Single(firm0!["procurement"]!.AsArray());
        Assert.Equal(20300m, (decimal)record!["unitPrice"]!);
        Assert.Equal(70000m, (decimal)record["savings"]!);

        var view = JsonNode.Parse(await again.GetStringAsync("/api/bundles/rs-steel"))!;
        Assert.Equal("closed", (string?)view["state"]);
        Assert.Equal(220m, (decimal)view["totalQuantity"]!);
        Assert.Equal(3, view["pledges"]!.AsArray().Count);
        Assert.Equal(154000m, (decimal)view["savings"]!);
        var closedAt = (string?)view["closedAt"];

        // Closing happened once: another restart changes nothing.
        await brain.Stop();
        await brain.Restart();
        using var third = brain.Http();
        var after = JsonNode.Parse(await third.GetStringAsync("/api/bundles/rs-steel"))!;
        Assert.Equal(closedAt, (string?)after["closedAt"]);
        var firm1 = JsonNode.Parse(await third.GetStringAsync("/api/enterprises/rs-1"))!;
        Assert.Equal(56000m, (decimal)Assert.Single(firm1["procurement"]!.AsArray())!["savings"]!);
    }
}
