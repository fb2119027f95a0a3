using System.Net;
using System.Text.Json;
using IndustryBrain.Client.Commands;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>What is there: GET /api/enterprises and GET /api/orders with paging and filters, and their commands.</summary>
[Collection(FirstHourSilo.Name)]
public sealed class ListTests(SharedBrain brain)
{
    private static string NewNode(string hint) => $"{hint}-{Guid.NewGuid():N}"[..(hint.Length + 9)];

    private async Task Register(string enterprise, string chainNode)
    {
        using var response = await brain.Put($"api/enterprises/{enterprise}",
            JsonSerializer.Serialize(new { name = "重庆巧锋刀具有限公司", uscc = Uscc, chainNode }));
        Assert.True(response.IsSuccessStatusCode, $"registering {enterprise}: {(int)response.StatusCode}");
    }

    private async Task<HttpStatusCode> Plan(string enterprise, string order, DateTimeOffset due)
    {
        using var response = await brain.Put(OrderPath(enterprise, order), IndustryBrain.Tests.EndToEnd.Contract.Plan(100, due, "blank", "pack"));
        Assert.True(response.IsSuccessStatusCode, $"planning {enterprise}/{order}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode;
    }

    /// <summary>Every page of <paramref name="path"/> (which has a query already), following next until null.</summary>
    private async Task<List<JsonElement>> AllPages(string path, int pageSize)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await brain.Get($"{path}&limit={pageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var got = page.GetProperty("items").EnumerateArray().ToArray();
            Assert.True(got.Length <= pageSize);
            items.AddRange(got);
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                return items;
            }

            Assert.Equal(pageSize, got.Length);
            cursor = page.GetProperty("next").GetString();
        }

        throw new InvalidOperationException("more than 100 pages");
    }

    [Fact]
    public async Task Enterprises_are_listed_by_id_a_page_at_a_time_and_filtered_by_chain_node()
    {
        var node = NewNode("knives");
        var firms = Enumerable.Range(1, 5).Select(i => $"{node}-f{i}").ToArray();
        foreach (var firm in firms.Reverse())
        {
            await Register(firm, node);
        }

        await Register($"{node}-elsewhere", NewNode("locks"));

        var first = await brain.Get($"api/enterprises?chainNode={node}&limit=2");
        Assert.Equal(5, first.GetProperty("total").GetInt32());
        var all = await AllPages($"api/enterprises?chainNode={node}", 2);
        Assert.Equal(firms, all.Select(e => e.GetProperty("enterprise").GetString()));
        var one = all[0];
        Assert.Equal("重庆巧锋刀具有限公司", one.GetProperty("name").GetString());
        Assert.Equal(node, one.GetProperty("chainNode").GetString());
        Assert.True(one.GetProperty("registered").GetBoolean());
        Assert.Equal(0, one.GetProperty("ordersByStatus").GetProperty("late").GetInt32());
        Assert.Equal(0, one.GetProperty("outputToday").GetProperty("units").GetInt64());

        // The whole district without a filter holds them too.
        var district = await brain.Get("api/enterprises?limit=1000");
        Assert.True(district.GetProperty("total").GetInt32() >= 6);
    }

    [Fact]
    public async Task Orders_across_firms_are_paged_in_a_stable_order_and_filtered_by_status_chain_node_and_firm()
    {
        var node = NewNode("scissors");
        var firms = new[] { $"{node}-a", $"{node}-b", $"{node}-c" };
        foreach (var firm in firms)
        {
            await Register(firm, node);
            Assert.Equal(HttpStatusCode.Created, await Plan(firm, "O-1", DateTimeOffset.UtcNow.AddDays(10)));
            Assert.Equal(HttpStatusCode.Created, await Plan(firm, "O-2", DateTimeOffset.UtcNow.AddDays(10)));
        }

        Assert.Equal(HttpStatusCode.Created, await Plan(firms[1], "O-3", DateTimeOffset.UtcNow.AddDays(-1)));
        // A plan replaced answers 200.
        Assert.Equal(HttpStatusCode.OK, await Plan(firms[0], "O-1", DateTimeOffset.UtcNow.AddDays(11)));

        var expected = new[] { (firms[0], "O-1"), (firms[0], "O-2"), (firms[1], "O-1"), (firms[1], "O-2"), (firms[1], "O-3"), (firms[2], "O-1"), (firms[2], "O-2") };
        await brain.Until($"api/orders?chainNode={node}&limit=1000", p => p.GetProperty("items").GetArrayLength() == expected.Length, "every order listed");
        var all = await AllPages($"api/orders?chainNode={node}", 3);
        Assert.Equal(expected, all.Select(o => (o.GetProperty("enterprise").GetString()!, o.GetProperty("order").GetString()!)));

        var late = await brain.Until($"api/orders?chainNode={node}&status=late", p => p.GetProperty("items").GetArrayLength() == 1, "the late order");
        var order = late.GetProperty("items")[0];
        Assert.Equal((firms[1], "O-3", "late"), (order.GetProperty("enterprise").GetString(), order.GetProperty("order").GetString(), order.GetProperty("status").GetString()));
        Assert.Equal("重庆巧锋刀具有限公司", order.GetProperty("enterpriseName").GetString());

        var own = await brain.Get($"api/orders?enterprise={firms[2]}");
        Assert.Equal(["O-1", "O-2"], own.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("order").GetString()));
    }

    [Theory]
    [InlineData("api/orders?limit=0", "invalid-field")]
    [InlineData("api/orders?limit=1001", "invalid-field")]
    [InlineData("api/orders?status=slow", "invalid-field")]
    [InlineData("api/orders?cursor=no-slash", "invalid-field")]
    [InlineData("api/orders?chainNode=bad%20node", "invalid-id")]
    [InlineData("api/enterprises?cursor=bad%20cursor", "invalid-field")]
    [InlineData("api/enterprises?limit=-5", "invalid-field")]
    public async Task A_bad_filter_or_page_is_a_400_with_a_reason_and_a_sentence_for_a_title(string path, string reason)
    {
        using var response = await brain.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        AssertSentence(problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("GET", "api/enterprises/nobody-here")]
    [InlineData("GET", "api/bundles/no-bundle")]
    [InlineData("GET", "api/no-such-thing")]
    [InlineData("DELETE", "api/cockpit")]
    public async Task Every_problem_has_a_sentence_as_its_title(string method, string path)
    {
        using var response = await brain.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.False(response.IsSuccessStatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("reason").GetString()));
        AssertSentence(problem.GetProperty("title").GetString());
    }

    private static void AssertSentence(string? title)
    {
        Assert.NotNull(title);
        Assert.True(char.IsUpper(title[0]) && title.EndsWith('.') && title.Contains(' ', StringComparison.Ordinal), $"'{title}' is not a sentence");
    }

    // ---- the commands ----

    private async Task<(int Exit, string Output, string Error)> Brain(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] global = ["--api", $"http://127.0.0.1:{brain.HttpPort}", "--key", BrainOptions.TestAdminKey];
        var exit = await BrainCommand.Run([.. args, .. global], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string[][] Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    [Fact]
    public async Task Brain_enterprise_list_and_order_list_page_through_the_district()
    {
        var node = NewNode("locks");
        await Register($"{node}-a", node);
        await Register($"{node}-b", node);
        await Plan($"{node}-a", "L-1", DateTimeOffset.UtcNow.AddDays(-2));
        await Plan($"{node}-b", "L-2", DateTimeOffset.UtcNow.AddDays(3));

        var (exit, output, error) = await Brain("enterprise", "list", "--chain-node", node, "--limit", "1");
        Assert.Equal((0, ""), (exit, error));
        var rows = Rows(output);
        Assert.Equal("enterprise", rows[0][0]);
        Assert.Equal($"{node}-a", rows[1][0]);
        Assert.Equal(["1", "of", "2", "shown;", "more", "with", "--cursor", $"{node}-a"], rows[2]);
        (exit, output, _) = await Brain("enterprise", "list", "--chain-node", node, "--cursor", $"{node}-a");
        Assert.Equal(0, exit);
        Assert.Equal($"{node}-b", Rows(output)[1][0]);

        await brain.Until($"api/orders?chainNode={node}&status=late", p => p.GetProperty("items").GetArrayLength() == 1, "the late order");
        (exit, output, error) = await Brain("order", "list", "--chain-node", node, "--status", "late");
        Assert.Equal((0, ""), (exit, error));
        rows = Rows(output);
        Assert.Equal(["enterprise", "order", "status", "progress", "completed", "quantity", "due", "product"], rows[0]);
        Assert.Equal([$"{node}-a", "L-1", "late"], rows[1][..3]);
        Assert.Equal(["1", "shown"], rows[2]);
    }

    [Fact]
    public async Task Order_show_takes_enterprise_and_order_as_two_arguments_and_every_time_is_in_one_zone()
    {
        var node = NewNode("tools");
        var firm = $"{node}-a";
        await Register(firm, node);
        await Plan(firm, "T-1", new DateTimeOffset(2031, 3, 1, 18, 0, 0, TimeSpan.FromHours(8)));

        var (exit, output, error) = await Brain("order", "show", firm, "T-1");
        Assert.Equal((0, ""), (exit, error));
        var (slashExit, slashOutput, _) = await Brain("order", "show", $"{firm}/T-1");
        Assert.Equal(0, slashExit);
        Assert.Equal(output, slashOutput);

        // The due time as this machine's zone shows it, in show and in list alike.
        var due = new DateTimeOffset(2031, 3, 1, 18, 0, 0, TimeSpan.FromHours(8)).ToLocalTime().ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"due {due}", output, StringComparison.Ordinal);
        var (_, list, _) = await Brain("order", "list", firm);
        Assert.Contains(due, list, StringComparison.Ordinal);
    }
}
