using System.Net;
using System.Text;
using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>The HTTP surface of the real silo: registration, plans, validation with RFC 9457 problems, OpenAPI.</summary>
[Collection(ValidationSilo.Name)]
public sealed class HttpEndToEndTests(SharedBrain brain) : IAsyncLifetime
{
    private readonly string _enterprise = NewEnterprise("http");
    private string _baselineOrder = "";
    private string _baselineEnterprise = "";

    private string Order => OrderPath(_enterprise, "QF-2611-0042");

    public async Task InitializeAsync()
    {
        await Register(brain, _enterprise);
        await PlanOrder(brain, _enterprise, "QF-2611-0042", 18225, new DateTimeOffset(2036, 11, 23, 18, 0, 0, TimeSpan.FromHours(8)), "forge", "pack");
        await using var terminal = await MqttTerminal.Connect(brain.MqttPort, _enterprise, "T1");
        await terminal.Count(Reading("QF-2611-0042", "forge", 7, 700, 2));
        _baselineOrder = (await brain.Until(Order, Shows(("forge", 700, 2)), "forge 700/2")).GetRawText();
        _baselineEnterprise = Profile(await brain.Get($"api/enterprises/{_enterprise}"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Profile(JsonElement enterprise) => enterprise.GetProperty("profile").GetRawText();

    /// <summary>Asserts an RFC 9457 problem with the contract's reason; returns it.</summary>
    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {reason}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private async Task AssertNothingChanged()
    {
        Assert.Equal(_baselineOrder, (await brain.Get(Order)).GetRawText());
        Assert.Equal(_baselineEnterprise, Profile(await brain.Get($"api/enterprises/{_enterprise}")));
    }

    [Fact]
    public async Task Registering_answers_created_then_ok_and_the_profile_reads_back()
    {
        var id = NewEnterprise("reg");

        using var created = await brain.Put($"api/enterprises/{id}", Registration());
        using var updated = await brain.Put($"api/enterprises/{id}", Registration(name: "  巧锋刀具  "));
        var view = await brain.Get($"api/enterprises/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/enterprises/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(id, view.GetProperty("enterprise").GetString());
        Assert.Equal("巧锋刀具", view.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal(Uscc, view.GetProperty("profile").GetProperty("uscc").GetString());
        Assert.Equal("knives", view.GetProperty("profile").GetProperty("chainNode").GetString());
        Assert.Equal(0, view.GetProperty("terminalsOnline").GetInt32());
    }

    [Fact]
    public async Task The_planned_order_reads_back_with_its_plan()
    {
        var order = await brain.Get(Order);

        Assert.Equal((_enterprise, "QF-2611-0042", "slaughter knife 8in", 18225L, 38.5m),
            (order.GetProperty("enterprise").GetString(), order.GetProperty("order").GetString(), order.GetProperty("product").GetString(),
             order.GetProperty("quantity").GetInt64(), order.GetProperty("unitPrice").GetDecimal()));
        Assert.Equal(new DateTimeOffset(2036, 11, 23, 18, 0, 0, TimeSpan.FromHours(8)), order.GetProperty("due").GetDateTimeOffset());
        Assert.Equal(Math.Round(700.0 / 18225 / 2, 4), order.GetProperty("progress").GetDouble());
        Assert.Equal(["forge", "pack"], order.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
    }

    [Theory]
    [InlineData("qiao~feng")]
    [InlineData("qiao%20feng")]
    [InlineData("%E5%B7%A7%E9%94%8B")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task An_enterprise_id_outside_the_contract_is_a_bad_request_everywhere(string id)
    {
        using var put = await brain.Put($"api/enterprises/{id}", Registration());
        using var get = await brain.Http.GetAsync($"api/enterprises/{id}");
        using var orders = await brain.Http.GetAsync($"api/enterprises/{id}/orders");
        using var plan = await brain.Put($"api/enterprises/{id}/orders/QF-1", Plan(10, DateTimeOffset.UtcNow.AddDays(1), "pack"));
        using var rejects = await brain.Http.GetAsync($"api/rejects?enterprise={id}");

        foreach (var response in new[] { put, get, orders, plan, rejects })
        {
            await Problem(response, HttpStatusCode.BadRequest, "invalid-id");
        }
    }

    [Fact]
    public async Task An_order_id_outside_the_contract_is_a_bad_request()
    {
        using var plan = await brain.Put($"api/enterprises/{_enterprise}/orders/QF%202611", Plan(10, DateTimeOffset.UtcNow.AddDays(1), "pack"));
        using var get = await brain.Http.GetAsync($"api/enterprises/{_enterprise}/orders/QF~2611");

        var problem = await Problem(plan, HttpStatusCode.BadRequest, "invalid-id");
        Assert.Equal("order 'QF 2611' has characters outside [A-Za-z0-9._-]", problem.GetProperty("detail").GetString());
        await Problem(get, HttpStatusCode.BadRequest, "invalid-id");
    }

    [Theory]
    [InlineData("91500111MA5U3Q7X1C", "uscc-check-digit", "the check character of uscc '91500111MA5U3Q7X1C' is wrong")]
    [InlineData("91500111MA5U3Q7X1", "uscc-length", "uscc must have 18 characters")]
    [InlineData("91500111MA5U3Q7XIO", "uscc-character", "uscc has a character outside 0-9 and A-Y without I, O, S, V")]
    [InlineData("", "uscc-missing", "uscc is missing")]
    public async Task A_bad_uscc_is_refused_with_its_reason_and_the_profile_is_unchanged(string uscc, string reason, string detail)
    {
        using var response = await brain.Put($"api/enterprises/{_enterprise}", Registration(name: "changed", uscc: uscc));

        var problem = await Problem(response, HttpStatusCode.BadRequest, reason);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        await AssertNothingChanged();
    }

    [Fact]
    public async Task A_bad_uscc_registers_nothing()
    {
        var id = NewEnterprise("nouscc");

        using var response = await brain.Put($"api/enterprises/{id}", Registration(uscc: "914403001922038217"));
        using var get = await brain.Http.GetAsync($"api/enterprises/{id}");

        await Problem(response, HttpStatusCode.BadRequest, "uscc-check-digit");
        await Problem(get, HttpStatusCode.NotFound, "unknown-enterprise");
    }

    [Theory]
    [InlineData("""{"uscc":"91500111MA5U3Q7X1D"}""", "invalid-field")]
    [InlineData("""{"name":"  ","uscc":"91500111MA5U3Q7X1D"}""", "invalid-field")]
    [InlineData("""{"name":"x","uscc":"91500111MA5U3Q7X1D","chainNode":"刀具"}""", "invalid-id")]
    [InlineData("""{"name":"x","uscc":91500111}""", "invalid-field")]
    [InlineData("""["name"]""", "invalid-field")]
    [InlineData("""{"name":"x",""", "malformed-json")]
    [InlineData("""name=x""", "malformed-json")]
    public async Task A_bad_registration_is_refused_and_the_profile_is_unchanged(string body, string reason)
    {
        using var response = await brain.Put($"api/enterprises/{_enterprise}", body);

        await Problem(response, HttpStatusCode.BadRequest, reason);
        await AssertNothingChanged();
    }

    [Fact]
    public async Task An_unknown_enterprise_is_not_found()
    {
        var id = NewEnterprise("nobody");

        using var get = await brain.Http.GetAsync($"api/enterprises/{id}");
        using var orders = await brain.Http.GetAsync($"api/enterprises/{id}/orders");
        using var plan = await brain.Put($"api/enterprises/{id}/orders/QF-1", Plan(10, DateTimeOffset.UtcNow.AddDays(1), "pack"));

        Assert.Equal($"enterprise '{id}' is not registered", (await Problem(get, HttpStatusCode.NotFound, "unknown-enterprise")).GetProperty("detail").GetString());
        await Problem(orders, HttpStatusCode.NotFound, "unknown-enterprise");
        await Problem(plan, HttpStatusCode.NotFound, "unknown-enterprise");
        using var order = await brain.Http.GetAsync(OrderPath(id, "QF-1"));
        await Problem(order, HttpStatusCode.NotFound, "unknown-order");
    }

    [Fact]
    public async Task An_order_with_neither_plan_nor_readings_is_not_found()
    {
        using var response = await brain.Http.GetAsync(OrderPath(_enterprise, "NO-SUCH-ORDER"));

        await Problem(response, HttpStatusCode.NotFound, "unknown-order");
    }

    public static TheoryData<string, string, string?> BadPlans() => new()
    {
        { """{"product":"knife","quantity":-5,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack"}]}""", "invalid-field", "quantity must be between 1 and 1000000000" },
        { """{"product":"knife","quantity":0,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack"}]}""", "invalid-field", "quantity must be between 1 and 1000000000" },
        { """{"product":"knife","quantity":10,"unitPrice":-1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack"}]}""", "invalid-field", "unitPrice must be between 0 and 100000000" },
        { """{"product":"knife","quantity":10,"unitPrice":1,"routing":[{"step":"pack"}]}""", "invalid-field", "due is missing" },
        { """{"product":"knife","quantity":10,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[]}""", "invalid-field", "routing must have at least one step" },
        { """{"product":"knife","quantity":10,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack"},{"step":"pack"}]}""", "invalid-field", "routing step 'pack' appears twice" },
        { """{"product":"knife","quantity":10,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack","weight":0}]}""", "invalid-field", "weight of routing step 'pack' must be positive" },
        { """{"product":"","quantity":10,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack"}]}""", "invalid-field", "product must be 1 to 200 characters" },
        { """{"product":"knife","quantity":"many","unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"pack"}]}""", "invalid-field", null },
        { """{"product":"knife","quantity":10,"unitPrice":1,"due":"next tuesday","routing":[{"step":"pack"}]}""", "invalid-field", null },
        { """[1,2,3]""", "invalid-field", "the body must be a JSON object" },
        { """{"product":"knife","quantity":10,""", "malformed-json", null },
        { """{product:knife}""", "malformed-json", null },
        { "", "malformed-json", null },
    };

    [Theory]
    [MemberData(nameof(BadPlans))]
    public async Task A_bad_plan_is_refused_with_its_reason_and_the_stored_order_is_unchanged(string body, string reason, string? detail)
    {
        using var response = await brain.Put(Order, body);

        var problem = await Problem(response, HttpStatusCode.BadRequest, reason);
        if (detail is not null)
        {
            Assert.Equal(detail, problem.GetProperty("detail").GetString());
        }

        await AssertNothingChanged();
    }

    [Fact]
    public async Task A_routing_step_outside_the_id_alphabet_is_refused_and_the_order_is_unchanged()
    {
        using var response = await brain.Put(Order, """{"product":"knife","quantity":10,"unitPrice":1,"due":"2036-01-01T00:00:00+08:00","routing":[{"step":"rough grind"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("routing step 'rough grind' has characters outside [A-Za-z0-9._-]", problem.GetProperty("detail").GetString());
        await AssertNothingChanged();
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var response = await brain.Http.GetAsync("openapi/v1.json");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonDocument.Parse(body).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("/api/enterprises/{enterprise}", paths);
        Assert.Contains("/api/enterprises/{enterprise}/orders", paths);
        Assert.Contains("/api/enterprises/{enterprise}/orders/{order}", paths);
        Assert.Contains("/api/rejects", paths);
        var put = document.GetProperty("paths").GetProperty("/api/enterprises/{enterprise}/orders/{order}").GetProperty("put");
        Assert.True(put.GetProperty("responses").TryGetProperty("400", out _));
    }

    [Fact]
    public async Task Health_answers_up_with_a_live_broker_and_an_epoch()
    {
        var health = await brain.Get("health");

        Assert.Equal("up", health.GetProperty("status").GetString());
        Assert.Equal("live", health.GetProperty("broker").GetString());
        Assert.True(health.GetProperty("epoch").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Rejects_can_be_listed_for_everyone_or_one_enterprise()
    {
        await using var terminal = await MqttTerminal.Connect(brain.MqttPort, _enterprise, "T9");
        await terminal.Publish(terminal.CountTopic, Encoding.UTF8.GetBytes("not json"));

        var mine = await brain.Until($"api/rejects?enterprise={_enterprise}", r => r.GetArrayLength() >= 1, "a rejection");
        var all = await brain.Get("api/rejects?limit=2000");

        Assert.All(mine.EnumerateArray(), r => Assert.Equal(_enterprise, r.GetProperty("enterprise").GetString()));
        Assert.Contains(all.EnumerateArray(), r => r.GetProperty("enterprise").GetString() == _enterprise && r.GetProperty("terminal").GetString() == "T9");
    }
}
