using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Cockpit;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Board;

/// <summary>The dispatch board's API on a real silo, fed by real MQTT terminals.</summary>
public sealed class BoardApiTests
{
    [Fact]
    public async Task The_board_shows_each_order_by_step_with_its_bottleneck_and_the_terminals_by_step_with_state_rate_and_oee()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        var due = DateTimeOffset.UtcNow.AddDays(2);
        await silo.PlanKnives("qiaofeng", "QF-1", 1000, due);
        await using var blanking = await MqttTerminal.Connect(silo.MqttPort, "qiaofeng", "T1");
        await using var grinding = await MqttTerminal.Connect(silo.MqttPort, "qiaofeng", "T2");
        await blanking.Status("""{"state":"running","seq":1}""");
        await grinding.Status("""{"state":"fault","seq":1,"fault":"E-17"}""");
        await blanking.Count("""{"order":"QF-1","step":"blank","seq":1,"good":400,"scrap":0}""");
        await grinding.Count("""{"order":"QF-1","step":"rough-grind","seq":1,"good":100,"scrap":5}""");

        var board = await silo.BoardOnce("qiaofeng", b => BoardSilo.Step(b, "QF-1", "rough-grind")?["good"]?.GetValue<long>() == 100
            && (string?)BoardSilo.Terminal(b, "T2")?["state"] == "fault");

        Assert.Equal("重庆桥丰五金制造有限公司", (string)board["name"]!);
        Assert.Equal(1, (int)board["activeOrders"]!);
        var order = BoardSilo.Order(board, "QF-1")!;
        Assert.Equal(("on-track", "8寸斩骨刀", 1000L), ((string)order["status"]!, (string)order["product"]!, (long)order["quantity"]!));
        Assert.Equal(["blank", "rough-grind", "pack"], order["steps"]!.AsArray().Select(s => (string)s!["step"]!));
        Assert.Equal((100L, 5L, 0.1), ((long)BoardSilo.Step(board, "QF-1", "rough-grind")!["good"]!, (long)BoardSilo.Step(board, "QF-1", "rough-grind")!["scrap"]!,
            (double)BoardSilo.Step(board, "QF-1", "rough-grind")!["progress"]!));

        // (400 + 100 + 0) of 3 x 1000 step-pieces done. Packing has all 1,000 left and no rate yet: it sets the finish.
        Assert.Equal(Math.Round(500 / 3000.0, 4), (double)order["progress"]!);
        Assert.Equal(Math.Round(500 / 3000.0, 4), (double)board["stepsDone"]!);
        var bottleneck = order["bottleneck"]!;
        Assert.Equal(("pack", "包装", 1000L), ((string)bottleneck["step"]!, (string)bottleneck["name"]!, (long)bottleneck["remaining"]!));
        Assert.InRange((double)bottleneck["neededRatePerHour"]!, 1000 / 48.0 - 1, 1000 / 48.0 + 1);

        var t1 = BoardSilo.Terminal(board, "T1")!;
        var t2 = BoardSilo.Terminal(board, "T2")!;
        Assert.Equal(("running", "blank", "QF-1", 400L), ((string)t1["state"]!, (string)t1["step"]!, (string)t1["order"]!, (long)t1["goodToday"]!));
        Assert.Equal(2400, (double)t1["ratePerHour"]!); // 400 in the last ten minutes
        Assert.Equal(("fault", "E-17", 5L), ((string)t2["state"]!, (string)t2["fault"]!, (long)t2["scrapToday"]!));
        Assert.NotNull(t2["since"]);
        Assert.Equal(Math.Round(100 / 105.0, 4), (double)t2["oee"]!["quality"]!);
        Assert.Equal(["blank", "rough-grind"], board["steps"]!.AsArray().Select(g => (string)g!["step"]!));
        Assert.Equal("粗磨", (string)board["steps"]![1]!["name"]!);

        // 400 blanks at an ideal 600 an hour are 40 minutes of ideal time; 105 ground at 300 an hour, 21 minutes.
        Assert.Equal(40 * 60, (double)t1["oee"]!["idealSeconds"]!, 3);
        Assert.Equal((40 + 21) * 60, (double)board["oee"]!["idealSeconds"]!, 3);
        Assert.Equal(Math.Round(500 / 505.0, 4), (double)board["oee"]!["quality"]!);
        Assert.Equal("08:00", (string)board["shifts"]!["shifts"]![0]!["start"]!);

        // Packing starts: the order's finished pieces are today's output.
        await blanking.Count("""{"order":"QF-1","step":"pack","seq":2,"good":30,"scrap":0}""");
        board = await silo.BoardOnce("qiaofeng", b => (long)b["outputToday"]!["units"]! == 30);
        Assert.Equal(30 * 38.5m, (decimal)board["outputToday"]!["value"]!);
        Assert.Equal(30L, (long)BoardSilo.Order(board, "QF-1")!["completed"]!);
    }

    [Fact]
    public async Task A_firms_oee_today_reaches_its_link_of_the_chain_map_on_the_cockpit()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.PlanKnives("qiaofeng", "QF-1", 1000, DateTimeOffset.UtcNow.AddDays(2));
        await using var grinding = await MqttTerminal.Connect(silo.MqttPort, "qiaofeng", "T2");
        await grinding.Status("""{"state":"running","seq":1}""");
        await grinding.Count("""{"order":"QF-1","step":"rough-grind","seq":1,"good":100,"scrap":5}""");

        // The board tells the district with its next save: the knives link then carries the firm's sums.
        var cockpit = await silo.CockpitOnce(c => Knives(c)?["oee"] is JsonObject);
        var oee = Knives(cockpit)!["oee"]!;
        Assert.Equal((100L, 5L), ((long)oee["good"]!, (long)oee["scrap"]!));
        Assert.Equal(21 * 60, (double)oee["idealSeconds"]!, 3); // 105 ground at an ideal 300 an hour
        Assert.Equal(Math.Round(100 / 105.0, 4), (double)oee["quality"]!);
        Assert.Null(cockpit["chain"]!["nodes"]!.AsArray().Single(n => (string?)n!["id"] == "locks")!["oee"]);

        static JsonNode? Knives(JsonNode c) => c["chain"]?["nodes"]?.AsArray().SingleOrDefault(n => (string?)n!["id"] == "knives");
    }

    [Fact]
    public async Task A_firms_key_opens_its_own_board_and_stream_and_no_other_firms()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        var own = await silo.Key(new { role = "enterprise", enterprise = "qiaofeng" });
        var other = await silo.Key(new { role = "enterprise", enterprise = "daowang" });
        var official = await silo.Key(new { role = "official" });
        using var qiaofeng = silo.As(own);
        using var daowang = silo.As(other);
        using var officials = silo.As(official);
        using var anonymous = new HttpClient { BaseAddress = silo.Http };

        Assert.Equal(HttpStatusCode.OK, (await qiaofeng.GetAsync("api/enterprises/qiaofeng/board")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await officials.GetAsync("api/enterprises/qiaofeng/board")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await daowang.GetAsync("api/enterprises/qiaofeng/board")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/enterprises/qiaofeng/board")).StatusCode);

        // The stream, as a browser opens it (the key in the query), and with the header.
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"api/enterprises/qiaofeng/board/stream?access_token={other}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await daowang.GetAsync("api/enterprises/qiaofeng/board/stream", HttpCompletionOption.ResponseHeadersRead)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/enterprises/qiaofeng/board/stream")).StatusCode);
        using var stream = await anonymous.GetAsync($"api/enterprises/qiaofeng/board/stream?access_token={own}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);

        // Only officials' reads: an official cannot set a firm's shifts; the firm can.
        Assert.Equal(HttpStatusCode.Forbidden, (await officials.PutAsJsonAsync("api/enterprises/qiaofeng/shifts", new { shifts = new[] { new { start = "07:00", end = "19:00" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await daowang.PutAsJsonAsync("api/enterprises/qiaofeng/shifts", new { shifts = new[] { new { start = "07:00", end = "19:00" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await qiaofeng.PutAsJsonAsync("api/enterprises/qiaofeng/shifts", new { shifts = new[] { new { start = "07:00", end = "19:00" } } })).StatusCode);
    }

    [Fact]
    public async Task The_stream_sends_the_board_at_once_and_again_when_a_terminal_counts()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.PlanKnives("qiaofeng", "QF-1", 1000, DateTimeOffset.UtcNow.AddDays(2));
        using var stream = await silo.Client.GetStreamAsync("api/enterprises/qiaofeng/board/stream");
        using var reader = new StreamReader(stream);

        var first = await NextBoard(reader, _ => true);
        Assert.Equal("qiaofeng", (string)first["enterprise"]!);

        await using var terminal = await MqttTerminal.Connect(silo.MqttPort, "qiaofeng", "T1");
        await terminal.Count("""{"order":"QF-1","step":"blank","seq":1,"good":77,"scrap":0}""");
        var moved = await NextBoard(reader, b => BoardSilo.Step(b, "QF-1", "blank")?["good"]?.GetValue<long>() == 77);
        Assert.True((long)moved["version"]! > (long)first["version"]!);
    }

    [Fact]
    public async Task Shift_calendars_are_checked_and_kept_and_unknown_firms_have_no_board()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");

        var bad = await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/shifts", new { shifts = new[] { new { start = "8:00", end = "20:00" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Equal("invalid-field", (string)problem["reason"]!);
        Assert.Contains("HH:mm", (string)problem["detail"]!);
        Assert.Equal("08:00", (string)(await silo.BoardOnce("qiaofeng", _ => true))["shifts"]!["shifts"]![0]!["start"]!);

        var night = await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/shifts",
            new { shifts = new object[] { new { start = "08:00", end = "20:00" }, new { start = "20:00", end = "08:00", days = new[] { "mon", "tue" } } } });
        Assert.Equal(HttpStatusCode.OK, night.StatusCode);
        var board = await silo.BoardOnce("qiaofeng", b => b["shifts"]!["shifts"]!.AsArray().Count == 2);
        Assert.Equal(["mon", "tue"], board["shifts"]!["shifts"]![1]!["days"]!.AsArray().Select(d => (string)d!));
        Assert.Equal("20:00", (string)(await silo.Client.GetFromJsonAsync<JsonNode>("api/enterprises/qiaofeng/shifts"))!["shifts"]![1]!["start"]!);

        Assert.Equal(HttpStatusCode.NotFound, (await silo.Client.GetAsync("api/enterprises/nobody/board")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Client.GetAsync("api/enterprises/nobody/board/stream")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await silo.Client.GetAsync("api/enterprises/no%20body/board")).StatusCode);
    }

    /// <summary>The next board event on the stream that shows what <paramref name="shows"/> looks for.</summary>
    private static async Task<JsonNode> NextBoard(StreamReader reader, Func<JsonNode, bool> shows)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && JsonNode.Parse(line[6..]) is { } board && shows(board))
            {
                return board;
            }
        }

        throw new EndOfStreamException("the stream ended");
    }
}
