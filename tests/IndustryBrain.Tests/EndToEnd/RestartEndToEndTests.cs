using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>
/// The silo process stopped cleanly or killed, then started again on the same storage. Each test has a
/// silo of its own, since it stops it.
/// </summary>
public sealed class RestartEndToEndTests : IAsyncLifetime
{
    private readonly SharedBrain _brain = new();
    private readonly string _enterprise = NewEnterprise("restart");
    private readonly List<MqttTerminal> _terminals = [];

    private string Order => OrderPath(_enterprise, "QF-2611-0042");

    public async Task InitializeAsync()
    {
        await _brain.Start();
        await Register(_brain, _enterprise);
        await PlanOrder(_brain, _enterprise, "QF-2611-0042", 1000, DateTimeOffset.UtcNow.AddDays(3), "forge", "pack");
    }

    public async Task DisposeAsync()
    {
        foreach (var terminal in _terminals)
        {
            await terminal.DisposeAsync();
        }

        await _brain.DisposeAsync();
    }

    private async Task<MqttTerminal> Terminal(string terminal)
    {
        var connected = await MqttTerminal.Connect(_brain.MqttPort, _enterprise, terminal);
        _terminals.Add(connected);
        return connected;
    }

    /// <summary>Subscribes to ib/brain/state and reads the retained epoch there.</summary>
    private static async Task<DateTimeOffset> Epoch(MqttTerminal terminal)
    {
        await terminal.Subscribe("ib/brain/state");
        var state = await terminal.Next("ib/brain/state");
        Assert.True(state.Retain, "ib/brain/state should be retained");
        var body = JsonDocument.Parse(state.Payload).RootElement;
        Assert.True(body.GetProperty("online").GetBoolean(), state.Payload);
        return body.GetProperty("epoch").GetDateTimeOffset();
    }

    /// <summary>Publishes a terminal's readings one message each and remembers the latest of each (order, step, run), as a terminal does.</summary>
    private static async Task Publish(MqttTerminal terminal, Dictionary<(string Step, int Run), string> latest, string step, int run, long seq, long good, long scrap)
    {
        var reading = Reading("QF-2611-0042", step, seq, good, scrap, run);
        await terminal.Count(reading);
        latest[(step, run)] = reading;
    }

    [Fact]
    public async Task A_clean_restart_keeps_every_count_and_the_epoch()
    {
        var t1 = await Terminal("T1");
        var t2 = await Terminal("T2");
        var epoch = await Epoch(t1);
        var latest = new Dictionary<(string, int), string>();
        for (var seq = 1; seq <= 5; seq++)
        {
            await Publish(t1, latest, "forge", 0, seq, seq * 100, seq / 2);
        }

        await Publish(t1, latest, "forge", 1, 1, 9, 0);
        await Publish(t2, latest, "pack", 0, 1, 60, 0);
        await Publish(t2, latest, "pack", 0, 2, 120, 1);
        await t2.Status("""{"state":"running","seq":4}""");
        var before = await _brain.Until(Order, Shows(("forge", 509, 2), ("pack", 120, 1)), "forge 509/2 and pack 120/1");
        var enterpriseBefore = await _brain.Until($"api/enterprises/{_enterprise}",
            e => e.GetProperty("outputToday").GetProperty("units").GetInt64() == 120 && e.GetProperty("terminalsOnline").GetInt32() == 1,
            "120 units today and one terminal online");

        Assert.Equal(0, await _brain.Stop());
        await _brain.Start();

        Assert.Equal(before.GetRawText(), (await _brain.Get(Order)).GetRawText());
        var enterprise = await _brain.Get($"api/enterprises/{_enterprise}");
        Assert.Equal(enterpriseBefore.GetProperty("profile").GetRawText(), enterprise.GetProperty("profile").GetRawText());
        Assert.Equal(enterpriseBefore.GetProperty("outputToday").GetRawText(), enterprise.GetProperty("outputToday").GetRawText());
        Assert.Equal(4620m, enterprise.GetProperty("outputToday").GetProperty("value").GetDecimal());
        Assert.Equal(1, enterprise.GetProperty("ordersByStatus").GetProperty("on-track").GetInt32());

        var t1Again = await Terminal("T1");
        Assert.Equal(epoch, await Epoch(t1Again));
        // The kept seqs survived: the last reading is a duplicate, the next one applies.
        var ingest = await _brain.Ingest();
        await t1Again.Count(latest[("forge", 0)]);
        await _brain.UntilIngested(ingest, applied: 0, duplicates: 1);
        await t1Again.Count(Reading("QF-2611-0042", "forge", 6, 600, 3));
        await _brain.Until(Order, Shows(("forge", 609, 3), ("pack", 120, 1)), "forge 609/3 after the restart");
    }

    [Fact]
    public async Task A_clean_restart_of_the_brain_does_not_take_its_connected_terminals_offline()
    {
        // The terminals stay connected while the brain restarts: nothing happened to them, so their state stays.
        var t1 = await Terminal("T1");
        var t2 = await Terminal("T2");
        await t1.Status("""{"state":"running","seq":7}""");
        await t2.Status("""{"state":"fault","seq":3,"fault":"E-17"}""");
        var before = await _brain.Until($"api/enterprises/{_enterprise}",
            e => e.GetProperty("terminalsOnline").GetInt32() == 2 && e.GetProperty("terminalsInFault").GetInt32() == 1, "2 online, 1 in fault");

        Assert.Equal(0, await _brain.Stop());
        await _brain.Start();
        var after = await _brain.Get($"api/enterprises/{_enterprise}");

        Assert.True(before.GetProperty("terminals").GetRawText() == after.GetProperty("terminals").GetRawText(),
            $"terminals before the restart: {before.GetProperty("terminals").GetRawText()}\nterminals after: {after.GetProperty("terminals").GetRawText()}");
        Assert.Equal((2, 1), (after.GetProperty("terminalsOnline").GetInt32(), after.GetProperty("terminalsInFault").GetInt32()));
    }

    [Fact]
    public async Task After_a_crash_a_new_epoch_makes_terminals_resend_and_every_count_is_exact()
    {
        var t1 = await Terminal("T1");
        var t2 = await Terminal("T2");
        var epoch = await Epoch(t1);
        var latestOfT1 = new Dictionary<(string, int), string>();
        var latestOfT2 = new Dictionary<(string, int), string>();
        for (var seq = 1; seq <= 5; seq++)
        {
            await Publish(t1, latestOfT1, "forge", 0, seq, seq * 100, seq / 2);
        }

        await Publish(t1, latestOfT1, "forge", 1, 1, 10, 0);
        await Publish(t1, latestOfT1, "forge", 1, 2, 20, 0);
        for (var seq = 1; seq <= 3; seq++)
        {
            await Publish(t2, latestOfT2, "pack", 0, seq, seq * 40, 0);
        }

        await _brain.Until(Order, Shows(("forge", 520, 2), ("pack", 120, 0)), "forge 520/2 and pack 120/0");

        await _brain.Kill();
        await _brain.Start();

        var t1Again = await Terminal("T1");
        var t2Again = await Terminal("T2");
        var newEpoch = await Epoch(t1Again);
        Assert.NotEqual(epoch, newEpoch);
        Assert.True(newEpoch > epoch, $"the new epoch {newEpoch:o} should be after {epoch:o}");
        Assert.Equal(newEpoch, await Epoch(t2Again));

        // Each terminal re-sends its latest reading of every (order, step, run) it holds.
        var ingest = await _brain.Ingest();
        await t1Again.Count("[" + string.Join(",", latestOfT1.Values) + "]");
        await t2Again.Count("[" + string.Join(",", latestOfT2.Values) + "]");
        await _brain.UntilIngested(ingest, applied: 0, duplicates: 0);
        var order = await _brain.Until(Order, Shows(("forge", 520, 2), ("pack", 120, 0)), "forge 520/2 and pack 120/0 after the resend");
        var settled = await _brain.Ingest();
        Assert.Equal(3, settled.Applied + settled.Duplicates - ingest.Applied - ingest.Duplicates);

        Assert.Equal("on-track", order.GetProperty("status").GetString());
        Assert.Equal("slaughter knife 8in", order.GetProperty("product").GetString());
        Assert.Equal(120, order.GetProperty("completed").GetInt64());
        Assert.Equal(0.32, order.GetProperty("progress").GetDouble());
        Assert.Equal(4620m, order.GetProperty("outputValue").GetDecimal());
        Assert.Equal([1, 1], order.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("terminals").GetInt32()));

        await t1Again.Count(Reading("QF-2611-0042", "forge", 6, 600, 3));
        await _brain.Until(Order, Shows(("forge", 620, 3)), "forge 620/3 after the crash");
    }
}
