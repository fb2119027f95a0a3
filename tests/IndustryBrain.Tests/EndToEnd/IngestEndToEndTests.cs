using System.Text;
using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;
using MQTTnet.Protocol;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>Readings from real MQTT 5 terminals (MQTTnet over TCP) to the real silo process, read back over HTTP.</summary>
[Collection(IngestSilo.Name)]
public sealed class IngestEndToEndTests(SharedBrain brain) : IAsyncLifetime
{
    private readonly string _enterprise = NewEnterprise("ingest");
    private readonly List<MqttTerminal> _terminals = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var terminal in _terminals)
        {
            await terminal.DisposeAsync();
        }
    }

    private async Task<MqttTerminal> Terminal(string terminal, string? enterprise = null, int? port = null)
    {
        var connected = await MqttTerminal.Connect(port ?? brain.MqttPort, enterprise ?? _enterprise, terminal);
        _terminals.Add(connected);
        return connected;
    }

    /// <summary>Waits until the ingest has dealt with <paramref name="readings"/> more readings (applied or duplicate) than before.</summary>
    private async Task Settled(IngestCounters before, int readings) =>
        await brain.Until("health", health =>
        {
            var ingest = health.GetProperty("ingest");
            var dealt = ingest.GetProperty("applied").GetInt64() + ingest.GetProperty("duplicates").GetInt64();
            return dealt >= before.Applied + before.Duplicates + readings && ingest.GetProperty("pending").GetInt64() == 0;
        }, $"{readings} more readings applied or ignored");

    [Fact]
    public async Task Readings_become_order_progress_with_exact_figures()
    {
        await Register(brain, _enterprise);
        var due = DateTimeOffset.UtcNow.AddDays(2);
        await PlanOrder(brain, _enterprise, "QF-2611-0042", 1000, due, "forge", "pack");
        var forge = await Terminal("T1");
        var pack = await Terminal("T2");

        await forge.Count(Reading("QF-2611-0042", "forge", 1, 100, 1));
        await forge.Count(Reading("QF-2611-0042", "forge", 2, 250, 2));
        await pack.Count(Reading("QF-2611-0042", "pack", 1, 40));
        var order = await brain.Until(OrderPath(_enterprise, "QF-2611-0042"), Shows(("forge", 250, 2), ("pack", 40, 0)), "forge 250/2 and pack 40/0");

        Assert.Equal("on-track", order.GetProperty("status").GetString());
        Assert.Equal(1000, order.GetProperty("quantity").GetInt64());
        Assert.Equal(0.145, order.GetProperty("progress").GetDouble());
        Assert.Equal(40, order.GetProperty("completed").GetInt64());
        Assert.Equal(1540m, order.GetProperty("outputValue").GetDecimal());
        Assert.Equal([0.25, 0.04], order.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("progress").GetDouble()));
        var enterprise = await brain.Until($"api/enterprises/{_enterprise}",
            e => e.GetProperty("outputToday").GetProperty("units").GetInt64() == 40, "40 units of output today");
        Assert.Equal(1540m, enterprise.GetProperty("outputToday").GetProperty("value").GetDecimal());
        Assert.Equal(1, enterprise.GetProperty("activeOrders").GetInt32());
        Assert.Equal(1, enterprise.GetProperty("ordersByStatus").GetProperty("on-track").GetInt32());
        var listed = Assert.Single((await brain.Get($"api/enterprises/{_enterprise}/orders")).EnumerateArray());
        Assert.Equal(("QF-2611-0042", "on-track", 40L), (listed.GetProperty("order").GetString(), listed.GetProperty("status").GetString(), listed.GetProperty("completed").GetInt64()));
    }

    [Fact]
    public async Task Duplicates_are_ignored_whatever_counts_they_carry()
    {
        var t1 = await Terminal("T1");
        var before = await brain.Ingest();

        await t1.Count(Reading("QF-1", "forge", 1, 10));
        await t1.Count(Reading("QF-1", "forge", 2, 20, 1));
        await t1.Count(Reading("QF-1", "forge", 2, 999, 9));
        await t1.Count(Reading("QF-1", "forge", 1, 10));
        await t1.Count(Reading("QF-1", "forge", 2, 20, 1));
        await Settled(before, 5);

        var order = await brain.Get(OrderPath(_enterprise, "QF-1"));
        Assert.Equal((20L, 1L), Step(order, "forge"));
        var after = await brain.Ingest();
        Assert.Equal(5, after.Applied + after.Duplicates - before.Applied - before.Duplicates);
        Assert.Equal(before.Rejected, after.Rejected);
    }

    [Fact]
    public async Task Readings_arriving_out_of_order_end_at_the_highest_seq()
    {
        var t1 = await Terminal("T1");
        var t2 = await Terminal("T2");
        var before = await brain.Ingest();

        await t1.Count(Reading("QF-1", "polish", 3, 30, 3));
        await t2.Count(Reading("QF-1", "polish", 7, 70));
        await t1.Count(Reading("QF-1", "polish", 1, 10, 1));
        await t2.Count(Reading("QF-1", "polish", 5, 50));
        await t1.Count(Reading("QF-1", "polish", 2, 20, 2));
        await Settled(before, 5);

        Assert.Equal((100L, 3L), Step(await brain.Get(OrderPath(_enterprise, "QF-1")), "polish"));
    }

    [Fact]
    public async Task A_counter_reset_starts_a_new_run_that_adds_to_the_old_one()
    {
        var t1 = await Terminal("T1");
        await t1.Count(Reading("QF-1", "edge", 900, 5000, 12));
        await brain.Until(OrderPath(_enterprise, "QF-1"), Shows(("edge", 5000, 12)), "edge 5000/12");

        await t1.Count(Reading("QF-1", "edge", 1, 40, 1, run: 1));
        await t1.Count(Reading("QF-1", "edge", 2, 75, 1, run: 1));

        var order = await brain.Until(OrderPath(_enterprise, "QF-1"), Shows(("edge", 5075, 13)), "edge 5075/13");
        var edge = Assert.Single(order.GetProperty("steps").EnumerateArray());
        Assert.Equal(1, edge.GetProperty("terminals").GetInt32());
    }

    [Fact]
    public async Task An_early_order_keeps_its_readings_and_becomes_planned_with_the_same_counts()
    {
        var early = NewEnterprise("early");
        var t1 = await Terminal("T1", early);
        var t2 = await Terminal("T2", early);

        await t1.Count(Reading("EARLY-1", "forge", 1, 100, 2));
        await t2.Count(Reading("EARLY-1", "pack", 1, 30));
        var unplanned = await brain.Until(OrderPath(early, "EARLY-1"), Shows(("forge", 100, 2), ("pack", 30, 0)), "forge 100/2 and pack 30/0");

        Assert.Equal("unplanned", unplanned.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, unplanned.GetProperty("product").ValueKind);
        Assert.Equal(0, unplanned.GetProperty("progress").GetDouble());

        await Register(brain, early);
        var planned = await PlanOrder(brain, early, "EARLY-1", 200, DateTimeOffset.UtcNow.AddDays(3), "forge", "pack");

        Assert.Equal("on-track", planned.GetProperty("status").GetString());
        Assert.Equal((100L, 2L), Step(planned, "forge"));
        Assert.Equal((30L, 0L), Step(planned, "pack"));
        Assert.Equal(0.325, planned.GetProperty("progress").GetDouble());
        Assert.Equal(30, planned.GetProperty("completed").GetInt64());
        Assert.Equal(1155m, planned.GetProperty("outputValue").GetDecimal());
        var read = await brain.Get(OrderPath(early, "EARLY-1"));
        Assert.Equal((100L, 2L), Step(read, "forge"));
        Assert.Equal("on-track", read.GetProperty("status").GetString());

        await t2.Count(Reading("EARLY-1", "pack", 2, 60));
        var continued = await brain.Until(OrderPath(early, "EARLY-1"), Shows(("pack", 60, 0)), "pack 60");
        Assert.Equal(60, continued.GetProperty("completed").GetInt64());
    }

    [Fact]
    public async Task An_array_of_1000_readings_in_one_message_is_applied_in_full()
    {
        var t1 = await Terminal("T1");
        var readings = Enumerable.Range(1, 500).SelectMany(seq => new[]
        {
            $$"""{"order":"A","step":"forge","seq":{{seq}},"good":{{seq * 2}}}""",
            $$"""{"order":"B","step":"pack","seq":{{seq}},"good":{{seq}},"scrap":{{seq / 100}}}""",
        });
        var payload = "[" + string.Join(",", readings) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(payload) <= 64 * 1024);

        await t1.Count(payload);

        await brain.Until(OrderPath(_enterprise, "A"), Shows(("forge", 1000, 0)), "A forge 1000");
        await brain.Until(OrderPath(_enterprise, "B"), Shows(("pack", 500, 5)), "B pack 500/5");
    }

    [Fact]
    public async Task A_reading_published_at_qos_0_is_applied()
    {
        var t1 = await Terminal("T1");

        await t1.Publish(t1.CountTopic, Reading("QF-0", "qc", 1, 12), qos: MqttQualityOfServiceLevel.AtMostOnce);

        await brain.Until(OrderPath(_enterprise, "QF-0"), Shows(("qc", 12, 0)), "qc 12");
    }

    [Fact]
    public async Task Two_enterprises_with_the_same_order_id_are_two_orders()
    {
        var other = NewEnterprise("other");
        var mine = await Terminal("T1");
        var theirs = await Terminal("T1", other);

        await mine.Count(Reading("QF-1", "forge", 1, 11));
        await theirs.Count(Reading("QF-1", "forge", 1, 99));

        await brain.Until(OrderPath(_enterprise, "QF-1"), Shows(("forge", 11, 0)), "forge 11");
        await brain.Until(OrderPath(other, "QF-1"), Shows(("forge", 99, 0)), "forge 99");
    }

    [Fact]
    public async Task Terminal_states_make_terminals_online_and_in_fault()
    {
        await Register(brain, _enterprise);
        var t1 = await Terminal("T1");
        var t2 = await Terminal("T2");
        await using var plug = new Plug(brain.MqttPort);
        var t3 = await Terminal("T3", port: plug.Port);
        var path = $"api/enterprises/{_enterprise}";

        await t1.Status("""{"state":"running","seq":1,"ts":"2026-11-22T08:15:30Z","fault":null}""");
        await t2.Status("""{"state":"fault","seq":1,"fault":"E-17"}""");
        await t3.Status("""{"state":"idle","seq":1}""");
        await brain.Until(path, e => Online(e) == (3, 1), "3 online, 1 in fault");

        plug.Pull();
        await brain.Until(path, e => Online(e) == (2, 1), "2 online, 1 in fault after T3's Last Will");

        await t2.Status("""{"state":"running","seq":2}""");
        await brain.Until(path, e => Online(e) == (2, 0), "2 online, none in fault");

        // A stale fault (lower seq) changes nothing; T1's idle after it proves it was taken and ignored.
        await t2.Status("""{"state":"fault","seq":1,"fault":"E-17"}""");
        await t1.Status("""{"state":"idle","seq":2}""");
        var view = await brain.Until(path, e => State(e, "T1") == "idle", "T1 idle");
        Assert.Equal((2, 0), Online(view));
        Assert.Equal("running", State(view, "T2"));
        Assert.Equal("offline", State(view, "T3"));
    }

    private static (int Online, int InFault) Online(JsonElement enterprise) =>
        (enterprise.GetProperty("terminalsOnline").GetInt32(), enterprise.GetProperty("terminalsInFault").GetInt32());

    private static string? State(JsonElement enterprise, string terminal) =>
        enterprise.GetProperty("terminals").EnumerateArray()
            .Where(t => t.GetProperty("terminal").GetString() == terminal)
            .Select(t => t.GetProperty("state").GetString())
            .FirstOrDefault();
}
