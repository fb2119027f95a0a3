using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Grains;

[Collection(BrainClusterCollection.Name)]
public sealed class EnterpriseGrainTests(BrainCluster brain)
{
    private static readonly DistrictCalendar Calendar = DistrictCalendar.For("Asia/Shanghai");
    private static readonly EnterpriseProfile Qiaofeng = new("重庆巧锋刀具有限公司", "91500111MA5U3Q7X1D", "knives", "龙水", "A");

    private readonly string _id = "e-" + Guid.NewGuid().ToString("N")[..12];

    private IEnterpriseGrain Grain => brain.Grains.GetGrain<IEnterpriseGrain>(_id);

    private OrderSummary Summary(string order, string status, long completed, decimal unitPrice, DateTimeOffset? due = null, DateTimeOffset? asOf = null) =>
        new(order, status, "knife", 1000, unitPrice, due ?? brain.Now.AddDays(7), 0.5, completed, null, asOf ?? brain.Now);

    private TerminalStatus Status(string terminal, string state, long? seq, string? fault = null) =>
        new(terminal, state, seq, fault, brain.Now);

    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task An_enterprise_is_unknown_until_registered()
    {
        Assert.False(await Grain.IsRegistered());
        var view = await Grain.GetView();

        Assert.Null(view.Profile);
        Assert.Null(view.RegisteredAt);
        Assert.Equal(_id, view.Enterprise);
    }

    [Fact]
    public async Task Registering_keeps_the_profile_and_the_first_registration_time()
    {
        var before = brain.Now;

        var registered = await Grain.Register(Qiaofeng);
        var updated = await Grain.Register(Qiaofeng with { Park = "邮亭", Tier = "B" });

        Assert.True(await Grain.IsRegistered());
        Assert.Equal(Qiaofeng, registered.Profile);
        Assert.Equal(Qiaofeng with { Park = "邮亭", Tier = "B" }, updated.Profile);
        Assert.NotNull(registered.RegisteredAt);
        Assert.InRange(registered.RegisteredAt.Value, before, brain.Now);
        Assert.Equal(registered.RegisteredAt, updated.RegisteredAt);
    }

    [Fact]
    public async Task A_new_enterprise_has_no_output_orders_or_terminals_today()
    {
        var view = await Grain.Register(Qiaofeng);

        Assert.Equal(Calendar.DateOf(brain.Now), view.Today);
        Assert.Equal(Output.Zero, view.OutputToday);
        Assert.Equal((0, 0, 0), (view.ActiveOrders, view.TerminalsOnline, view.TerminalsInFault));
        Assert.Equal(new Dictionary<string, int> { ["unplanned"] = 0, ["on-track"] = 0, ["at-risk"] = 0, ["late"] = 0, ["done"] = 0 }, view.OrdersByStatus);
        Assert.Empty(view.Terminals);
        Assert.Empty(view.Daily);
    }

    [Fact]
    public async Task Reported_orders_add_their_new_pieces_and_value_to_today()
    {
        await Grain.Register(Qiaofeng);

        await Grain.ReportOrder(Summary("QF-1", "on-track", 100, 2.5m));
        Assert.Equal(new Output(100, 250m), (await Grain.GetView()).OutputToday);

        await Grain.ReportOrder(Summary("QF-1", "on-track", 150, 2.5m));
        Assert.Equal(new Output(150, 375m), (await Grain.GetView()).OutputToday);

        await Grain.ReportOrder(Summary("QF-2", "on-track", 10, 38.5m));
        Assert.Equal(new Output(160, 760m), (await Grain.GetView()).OutputToday);
    }

    [Fact]
    public async Task The_same_figures_reported_twice_count_once()
    {
        await Grain.Register(Qiaofeng);
        var summary = Summary("QF-1", "on-track", 100, 2.5m);

        await Grain.ReportOrder(summary);
        await Grain.ReportOrder(summary);
        await Grain.ReportOrder(summary with { AsOf = summary.AsOf.AddSeconds(1) });

        Assert.Equal(new Output(100, 250m), (await Grain.GetView()).OutputToday);
    }

    [Fact]
    public async Task A_new_unit_price_revalues_the_pieces_reported_so_far()
    {
        await Grain.Register(Qiaofeng);

        await Grain.ReportOrder(Summary("QF-1", "on-track", 100, 2m));
        await Grain.ReportOrder(Summary("QF-1", "on-track", 100, 3m));

        Assert.Equal(new Output(100, 300m), (await Grain.GetView()).OutputToday);
    }

    [Fact]
    public async Task Output_reported_yesterday_is_in_the_daily_history_not_today()
    {
        await Grain.Register(Qiaofeng);
        var yesterday = brain.Now.AddDays(-1);

        await Grain.ReportOrder(Summary("QF-1", "on-track", 40, 10m, asOf: yesterday));
        await Grain.ReportOrder(Summary("QF-1", "on-track", 50, 10m));
        var view = await Grain.GetView();

        Assert.Equal(new Output(10, 100m), view.OutputToday);
        Assert.Equal(
            [new DailyOutput(Calendar.DateOf(yesterday), 40, 400m), new DailyOutput(Calendar.DateOf(brain.Now), 10, 100m)],
            view.Daily);
    }

    [Fact]
    public async Task Orders_are_counted_by_status_and_an_order_past_due_counts_as_late()
    {
        await Grain.Register(Qiaofeng);
        var soon = brain.Now.AddDays(1);
        var past = brain.Now.AddHours(-1);

        await Grain.ReportOrder(Summary("A-unplanned", "unplanned", 0, 0m) with { Due = null, Quantity = null });
        await Grain.ReportOrder(Summary("B-on-track", "on-track", 1, 1m, soon));
        await Grain.ReportOrder(Summary("C-at-risk", "at-risk", 1, 1m, soon.AddHours(1)));
        await Grain.ReportOrder(Summary("D-late", "late", 1, 1m, past));
        await Grain.ReportOrder(Summary("E-done", "done", 1000, 1m, past.AddMinutes(-1)));
        // Reported on track before its due time passed; nothing reported since.
        await Grain.ReportOrder(Summary("F-stale", "on-track", 1, 1m, past.AddMinutes(-2)));
        var view = await Grain.GetView();
        var orders = await Grain.ListOrders();

        Assert.Equal(new Dictionary<string, int> { ["unplanned"] = 1, ["on-track"] = 1, ["at-risk"] = 1, ["late"] = 2, ["done"] = 1 }, view.OrdersByStatus);
        Assert.Equal(5, view.ActiveOrders);
        Assert.Equal(
            [("F-stale", "late"), ("E-done", "done"), ("D-late", "late"), ("B-on-track", "on-track"), ("C-at-risk", "at-risk"), ("A-unplanned", "unplanned")],
            orders.Select(o => (o.Order, o.Status)));
    }

    [Fact]
    public async Task A_later_report_of_an_order_replaces_its_status()
    {
        await Grain.Register(Qiaofeng);

        await Grain.ReportOrder(Summary("QF-1", "unplanned", 0, 0m));
        await Grain.ReportOrder(Summary("QF-1", "at-risk", 5, 1m));

        var summary = Assert.Single(await Grain.ListOrders());
        Assert.Equal("at-risk", summary.Status);
        Assert.Equal(1, (await Grain.GetView()).OrdersByStatus["at-risk"]);
    }

    [Fact]
    public async Task A_terminal_status_with_a_higher_seq_replaces_the_last_and_a_lower_seq_is_ignored()
    {
        await Grain.Register(Qiaofeng);

        await Grain.UpdateTerminals([Status("T1", "running", 5), Status("T2", "idle", 1)]);
        await Grain.UpdateTerminals([Status("T1", "fault", 4, "E-99")]);
        var stale = await Grain.GetView();
        await Grain.UpdateTerminals([Status("T1", "fault", 6, "E-17")]);
        var fault = await Grain.GetView();

        Assert.Equal((2, 0), (stale.TerminalsOnline, stale.TerminalsInFault));
        Assert.Equal(("running", (long?)5), (stale.Terminals[0].State, stale.Terminals[0].Seq));
        Assert.Equal((2, 1), (fault.TerminalsOnline, fault.TerminalsInFault));
        Assert.Equal(("T1", "fault", (long?)6, "E-17"), (fault.Terminals[0].Terminal, fault.Terminals[0].State, fault.Terminals[0].Seq, fault.Terminals[0].Fault));
    }

    [Fact]
    public async Task An_equal_seq_is_a_repeat_and_ignored()
    {
        await Grain.Register(Qiaofeng);

        await Grain.UpdateTerminals([Status("T1", "running", 5)]);
        await Grain.UpdateTerminals([Status("T1", "idle", 5)]);

        Assert.Equal("running", Assert.Single((await Grain.GetView()).Terminals).State);
    }

    [Fact]
    public async Task A_last_will_without_seq_always_applies_and_takes_the_terminal_offline()
    {
        await Grain.Register(Qiaofeng);
        await Grain.UpdateTerminals([Status("T1", "fault", 900, "E-17"), Status("T2", "running", 3)]);

        await Grain.UpdateTerminals([Status("T1", "offline", null)]);
        var view = await Grain.GetView();

        Assert.Equal((1, 0), (view.TerminalsOnline, view.TerminalsInFault));
        Assert.Equal([("T1", "offline", (long?)null), ("T2", "running", (long?)3)], view.Terminals.Select(t => (t.Terminal, t.State, t.Seq)));
    }

    [Fact]
    public async Task After_a_last_will_the_terminal_comes_back_with_any_seq()
    {
        await Grain.Register(Qiaofeng);
        await Grain.UpdateTerminals([Status("T1", "running", 900)]);
        await Grain.UpdateTerminals([Status("T1", "offline", null)]);

        // The terminal restarted and counts its status seq from 1 again.
        await Grain.UpdateTerminals([Status("T1", "running", 1)]);

        Assert.Equal((1, "running"), ((await Grain.GetView()).TerminalsOnline, Assert.Single((await Grain.GetView()).Terminals).State));
    }

    [Fact]
    public async Task Within_one_batch_the_highest_seq_wins_whatever_the_order()
    {
        await Grain.Register(Qiaofeng);

        await Grain.UpdateTerminals([Status("T1", "fault", 8, "E-1"), Status("T1", "running", 7), Status("T1", "idle", 2)]);

        Assert.Equal(("fault", (long?)8), (Assert.Single((await Grain.GetView()).Terminals).State, (await Grain.GetView()).Terminals[0].Seq));
    }

    [Fact]
    public async Task The_enterprise_survives_deactivation()
    {
        await Grain.Register(Qiaofeng);
        await Grain.ReportOrder(Summary("QF-1", "on-track", 100, 2.5m));
        await Grain.ReportOrder(Summary("QF-2", "done", 1000, 1m));
        await Grain.ReportOrder(Summary("QF-3", "on-track", 3, 1m, asOf: brain.Now.AddDays(-2)));
        await Grain.UpdateTerminals([Status("T1", "fault", 6, "E-17"), Status("T2", "running", 1)]);
        var before = await Grain.GetView();
        var ordersBefore = await Grain.ListOrders();

        await brain.Deactivate(Grain);
        var after = await Grain.GetView();

        Assert.Equal(Json(before), Json(after));
        Assert.Equal(Json(ordersBefore), Json(await Grain.ListOrders()));
        Assert.Equal(new Output(1100, 1250m), after.OutputToday);
        Assert.Equal(1103, after.Daily.Sum(d => d.Units));
        // Reports after the restart still add only what is new.
        await Grain.ReportOrder(Summary("QF-1", "on-track", 110, 2.5m));
        Assert.Equal(new Output(1110, 1275m), (await Grain.GetView()).OutputToday);
        // And terminal seqs still hold.
        await Grain.UpdateTerminals([Status("T1", "running", 5)]);
        Assert.Equal("fault", (await Grain.GetView()).Terminals[0].State);
    }
}
