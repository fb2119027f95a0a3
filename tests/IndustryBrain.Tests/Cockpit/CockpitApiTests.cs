using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IndustryBrain.Tests.Cockpit;

public sealed class CockpitApiTests
{
    private static readonly DateTimeOffset NextWeek = DateTimeOffset.UtcNow.AddDays(7);

    [Fact]
    public async Task The_cockpit_rolls_up_output_orders_terminals_and_the_chain_from_MQTT_readings()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("guan-lock", "重庆固安锁业有限公司", "locks");
        await silo.Register("robotics", "大足机器人有限公司", "robots");
        await silo.Plan("qiaofeng", "QF-2611-0042", 18225, 38.5m, NextWeek, "blank", "rough-grind", "pack");
        await silo.Plan("qiaofeng", "QF-2611-0043", 100, 20m, NextWeek, "pack");
        await silo.Plan("guan-lock", "GA-1", 2000, 45m, DateTimeOffset.UtcNow.AddHours(-2), "assemble", "pack");
        await silo.Count("qiaofeng", "T1", "QF-2611-0042", "rough-grind", 1, 8642);
        await silo.Count("qiaofeng", "T2", "QF-2611-0042", "pack", 1, 1200);
        await silo.Count("qiaofeng", "T2", "QF-2611-0043", "pack", 1, 100);
        await silo.Count("guan-lock", "L1", "GA-1", "pack", 1, 300);
        await silo.Count("ghost", "G1", "X-1", "pack", 1, 5);
        await silo.Status("qiaofeng", "T1", "running", 1);
        await silo.Status("qiaofeng", "T2", "running", 1);
        await silo.Status("guan-lock", "L1", "fault", 1, "E-17");

        var view = await silo.CockpitOnce(v => (long)v["outputToday"]!["units"]! == 1600 && (int)v["terminalsOnline"]! == 3
            && (int)v["ordersByStatus"]!["unplanned"]! == 1);

        // 1200 x 38.5 + 100 x 20 + 300 x 45
        Assert.Equal(61700m, (decimal)view["outputToday"]!["value"]!);
        Assert.Equal(3, (int)view["enterprises"]!);
        Assert.Equal(1, (int)view["terminalsInFault"]!);
        Assert.Equal(3, (int)view["activeOrders"]!);
        Assert.Equal("""{"unplanned":1,"on-track":1,"at-risk":0,"late":1,"done":1}""", view["ordersByStatus"]!.ToJsonString());
        var nodes = view["chain"]!["nodes"]!.AsArray().ToDictionary(n => (string)n!["id"]!);
        Assert.Equal((1, 1300L, 48200m), ((int)nodes["knives"]!["enterprises"]!, (long)nodes["knives"]!["outputToday"]!, (decimal)nodes["knives"]!["valueToday"]!));
        Assert.Equal((1, 300L), ((int)nodes["locks"]!["enterprises"]!, (long)nodes["locks"]!["outputToday"]!));
        Assert.Equal((1, 0L), ((int)nodes["other"]!["enterprises"]!, (long)nodes["other"]!["outputToday"]!));
        Assert.Equal(18, nodes.Count);
        Assert.Equal(30, view["daily"]!.AsArray().Count);
        Assert.Equal(1600L, (long)view["daily"]!.AsArray()[^1]!["units"]!);
        Assert.EndsWith("+08:00", (string)view["asOf"]!);

        var alerts = view["alerts"]!.AsArray().Select(a => ((string)a!["kind"]!, (string)a["enterprise"]!, (string?)a["order"] ?? (string?)a["terminal"])).ToArray();
        Assert.Equal([("order-late", "guan-lock", "GA-1"), ("terminal-fault", "guan-lock", "L1")], alerts);
        Assert.Equal("重庆固安锁业有限公司", (string)view["alerts"]![0]!["enterpriseName"]!);
    }

    [Fact]
    public async Task An_order_whose_due_time_passes_while_its_terminals_are_silent_turns_late_on_the_cockpit()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Plan("qiaofeng", "QF-SOON", 1000, 38.5m, DateTimeOffset.UtcNow.AddSeconds(4), "pack");
        await silo.Count("qiaofeng", "T1", "QF-SOON", "pack", 1, 10);

        await silo.CockpitOnce(v => (int)v["ordersByStatus"]!["on-track"]! == 1 && (long)v["outputToday"]!["units"]! == 10);
        var late = await silo.CockpitOnce(v => (int)v["ordersByStatus"]!["late"]! == 1);

        Assert.Equal(0, (int)late["ordersByStatus"]!["on-track"]!);
        var alert = late["alerts"]!.AsArray().Single()!;
        Assert.Equal(("order-late", "qiaofeng", "QF-SOON"), ((string)alert["kind"]!, (string)alert["enterprise"]!, (string)alert["order"]!));
    }

    [Fact]
    public async Task The_stream_sends_the_view_at_once_and_then_each_change_as_server_sent_events()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Plan("qiaofeng", "QF-1", 5000, 38.5m, NextWeek, "pack");
        await silo.CockpitOnce(v => (int)v["enterprises"]! == 1);

        using var stream = await silo.Client.GetAsync($"api/cockpit/stream?access_token={CockpitSilo.AdminKey}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        using var enough = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // The first event is the latest view the feed has read, at most half a second old.
        var first = await NextView(reader, enough.Token);
        while ((int)first["enterprises"]! != 1)
        {
            first = await NextView(reader, enough.Token);
        }

        await silo.Count("qiaofeng", "T1", "QF-1", "pack", 1, 250);
        JsonNode view;
        do
        {
            view = await NextView(reader, enough.Token);
        }
        while ((long)view["outputToday"]!["units"]! != 250);

        Assert.Equal(9625m, (decimal)view["outputToday"]!["value"]!);
        Assert.True((long)view["version"]! > (long)first["version"]!);
    }

    [Fact]
    public async Task A_chain_map_put_through_the_api_replaces_the_default_and_deleting_it_brings_the_default_back()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("lantern", "铜梁龙灯有限公司", "lanterns");
        var map = new
        {
            name = "铜梁龙灯产业链",
            nodes = new[] { new { id = "bamboo", name = "竹材", stage = "upstream" }, new { id = "lanterns", name = "灯具", stage = "midstream" } },
            edges = new[] { new { from = "bamboo", to = "lanterns" } },
        };

        var put = await silo.Client.PutAsJsonAsync("api/cockpit/chain", map);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var view = await silo.CockpitOnce(v => (int)v["enterprises"]! == 1);
        Assert.Equal("铜梁龙灯产业链", (string)view["chain"]!["name"]!);
        Assert.Equal(["bamboo", "lanterns"], view["chain"]!["nodes"]!.AsArray().Select(n => (string)n!["id"]!));
        Assert.Equal(1, (int)view["chain"]!["nodes"]![1]!["enterprises"]!);

        var bad = await silo.Client.PutAsJsonAsync("api/cockpit/chain", new { nodes = new[] { new { id = "a", name = "甲", stage = "upstream" } }, edges = new[] { new { from = "a", to = "b" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Equal("invalid-field", (string)problem["reason"]!);
        Assert.Equal("edge a -> b names a node that is not on the map", (string)problem["detail"]!);

        var back = await silo.Client.DeleteAsync("api/cockpit/chain");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        view = await silo.Cockpit();
        Assert.Equal(17 + 1, view["chain"]!["nodes"]!.AsArray().Count);
        Assert.Equal(1, (int)view["chain"]!["nodes"]!.AsArray().Single(n => (string)n!["id"]! == "other")!["enterprises"]!);
    }

    [Fact]
    public async Task Recorded_output_of_past_days_joins_the_daily_history_and_today_is_refused()
    {
        await using var silo = await CockpitSilo.Start();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);

        var put = await silo.Client.PutAsJsonAsync("api/cockpit/daily", new { days = new[] { new { date = today.AddDays(-1), units = 1190000, value = 29800000 } } });
        var refused = await silo.Client.PutAsJsonAsync("api/cockpit/daily", new { days = new[] { new { date = today, units = 1, value = 1 } } });

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var view = await silo.Cockpit();
        Assert.Equal(1190000L, (long)view["outputYesterday"]!["units"]!);
        Assert.Equal((today.AddDays(-1).ToString("yyyy-MM-dd"), 29800000m), ((string)view["daily"]![28]!["date"]!, (decimal)view["daily"]![28]!["value"]!));
    }

    [Fact]
    public async Task Pooled_procurement_on_the_cockpit_follows_the_bundles()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        var closesAt = DateTimeOffset.UtcNow.AddDays(3);
        Assert.True((await silo.Client.PutAsJsonAsync("api/bundles/steel-2612", new
        {
            material = "5Cr15MoV stainless strip 2.5mm",
            unit = "t",
            listPrice = 21000,
            tiers = new[] { new { minQuantity = 50, unitPrice = 20600 }, new { minQuantity = 200, unitPrice = 20300 } },
            minQuantity = 50,
            closesAt,
        })).IsSuccessStatusCode);
        Assert.True((await silo.Client.PutAsJsonAsync("api/bundles/steel-2612/pledges/qiaofeng", new { quantity = 100 })).IsSuccessStatusCode);
        Assert.True((await silo.Client.PutAsJsonAsync("api/bundles/steel-2612/pledges/daowang", new { quantity = 160 })).IsSuccessStatusCode);

        // 260 t reach the 200 t tier: 260 x 20300 pooled, 260 x (21000 - 20300) saved, if it closed now.
        var view = await silo.CockpitOnce(v => (decimal)v["procurement"]!["pooledValue"]! == 5278000m);

        var procurement = view["procurement"]!;
        Assert.Equal((1, 0, 5278000m, 182000m),
            ((int)procurement["openBundles"]!, (int)procurement["closedBundles"]!, (decimal)procurement["pooledValue"]!, (decimal)procurement["savings"]!));
    }

    /// <summary>The next view event of the stream (heartbeats skipped).</summary>
    private static async Task<JsonNode> NextView(StreamReader reader, CancellationToken cancellationToken)
    {
        string? eventType = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventType is null)
            {
                return JsonNode.Parse(line[6..])!;
            }
            else if (line.Length == 0)
            {
                eventType = null;
            }
        }

        throw new EndOfStreamException("the stream ended");
    }
}
