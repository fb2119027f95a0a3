using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Cockpit;

public sealed class DistrictTallyTests
{
    private static readonly DistrictCalendar Shanghai = DistrictCalendar.For("Asia/Shanghai");

    // 2026-11-22 22:00 in Shanghai.
    private static readonly DateTimeOffset Evening = new(2026, 11, 22, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Nov22 = new(2026, 11, 22);

    private static readonly ChainMap Map = new("测试链", "Test chain",
        [new("steel", "钢材", "Steel", ChainStages.Upstream), new("knives", "刀具", "Knives", ChainStages.Midstream), new("locks", "锁具", "Locks", ChainStages.Midstream)],
        [new("steel", "knives"), new("steel", "locks")]);

    private static EnterpriseRollup Rollup(string enterprise, string? chainNode, DailyOutput[]? daily = null, StatusCounts? orders = null,
        int online = 0, FaultMark[]? faults = null, OrderMark[]? watch = null, bool registered = true, DateTimeOffset? nextDue = null) =>
        new(enterprise, enterprise + " 有限公司", chainNode, registered, daily ?? [], orders ?? StatusCounts.Zero, nextDue, watch ?? [],
            online, faults?.Length ?? 0, faults ?? [], Evening);

    [Fact]
    public void Output_and_value_today_sum_over_enterprises_and_a_new_rollup_replaces_the_old_one()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives", [new(Nov22, 100, 3850m)]));
        tally.Apply(Rollup("guan", "locks", [new(Nov22, 50, 2250m)]));
        tally.Apply(Rollup("qiaofeng", "knives", [new(Nov22, 120, 4620m)]));
        tally.Apply(Rollup("qiaofeng", "knives", [new(Nov22, 120, 4620m)]));

        var view = tally.View(Evening, Shanghai, Map, 7);

        Assert.Equal(new Output(170, 6870m), view.OutputToday);
        Assert.Equal(2, view.Enterprises);
        Assert.Equal(7, view.Version);
        Assert.Equal(Nov22, view.Today);
        Assert.Equal(TimeSpan.FromHours(8), view.AsOf.Offset);
    }

    [Fact]
    public void Orders_by_status_and_active_orders_add_up_across_enterprises()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", orders: new StatusCounts(1, 5, 2, 1, 3)));
        tally.Apply(Rollup("b", "locks", orders: new StatusCounts(0, 4, 0, 2, 10)));
        tally.Apply(Rollup("a", "knives", orders: new StatusCounts(1, 4, 2, 2, 3)));

        var view = tally.View(Evening, Shanghai, Map, 1);

        Assert.Equal(new StatusCounts(1, 8, 2, 4, 13), view.OrdersByStatus);
        Assert.Equal(15, view.ActiveOrders);
        Assert.Equal(new Dictionary<string, int> { ["unplanned"] = 1, ["on-track"] = 8, ["at-risk"] = 2, ["late"] = 4, ["done"] = 13 },
            view.OrdersByStatus.ToDictionary());
    }

    [Fact]
    public void Terminals_online_and_in_fault_add_up_and_faults_are_named()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", online: 8, faults: [new("T3", "E-17", Evening)]));
        tally.Apply(Rollup("b", "locks", online: 4));

        var view = tally.View(Evening, Shanghai, Map, 1);

        Assert.Equal(12, view.TerminalsOnline);
        Assert.Equal(1, view.TerminalsInFault);
        var alert = Assert.Single(view.Alerts);
        Assert.Equal((AlertKinds.TerminalFault, "a", "a 有限公司", "T3", "E-17"), (alert.Kind, alert.Enterprise, alert.EnterpriseName, alert.Terminal, alert.Fault));
    }

    [Fact]
    public void Each_link_of_the_chain_counts_its_registered_enterprises_and_their_output_and_the_rest_counts_as_other()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", [new(Nov22, 100, 3850m)]));
        tally.Apply(Rollup("b", "knives", [new(Nov22, 40, 1540m)]));
        tally.Apply(Rollup("c", "locks", [new(Nov22, 7, 315m)]));
        tally.Apply(Rollup("d", "robots", [new(Nov22, 3, 3000m)]));
        tally.Apply(Rollup("e", null));
        tally.Apply(Rollup("unregistered", null, registered: false));

        var nodes = tally.View(Evening, Shanghai, Map, 1).Chain.Nodes.ToDictionary(n => n.Id);

        Assert.Equal(["steel", "knives", "locks", "other"], nodes.Keys);
        Assert.Equal((0, 0L, 0m), (nodes["steel"].Enterprises, nodes["steel"].OutputToday, nodes["steel"].ValueToday));
        Assert.Equal((2, 140L, 5390m), (nodes["knives"].Enterprises, nodes["knives"].OutputToday, nodes["knives"].ValueToday));
        Assert.Equal((1, 7L, 315m), (nodes["locks"].Enterprises, nodes["locks"].OutputToday, nodes["locks"].ValueToday));
        Assert.Equal((2, 3L, 3000m), (nodes["other"].Enterprises, nodes["other"].OutputToday, nodes["other"].ValueToday));
        Assert.Equal(5, tally.View(Evening, Shanghai, Map, 1).Enterprises);
    }

    [Fact]
    public void An_enterprise_that_moves_to_another_link_leaves_the_old_one()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", [new(Nov22, 100, 3850m)]));
        tally.Apply(Rollup("a", "locks", [new(Nov22, 100, 3850m)]));

        var nodes = tally.View(Evening, Shanghai, Map, 1).Chain.Nodes.ToDictionary(n => n.Id);

        Assert.Equal((0, 0L), (nodes["knives"].Enterprises, nodes["knives"].OutputToday));
        Assert.Equal((1, 100L), (nodes["locks"].Enterprises, nodes["locks"].OutputToday));
        Assert.False(nodes.ContainsKey("other"));
    }

    [Fact]
    public void Output_counted_just_before_and_just_after_midnight_in_Shanghai_lands_on_two_district_days()
    {
        // 23:59:59 and 00:00:00 in Shanghai are 15:59:59 and 16:00:00 UTC.
        var beforeMidnight = new DateTimeOffset(2026, 11, 22, 15, 59, 59, TimeSpan.Zero);
        var afterMidnight = new DateTimeOffset(2026, 11, 22, 16, 0, 0, TimeSpan.Zero);
        var ledger = new DailyLedger();
        ledger.Add(Shanghai.DateOf(beforeMidnight), 300, 11550m);
        ledger.Add(Shanghai.DateOf(afterMidnight), 20, 770m);
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives", ledger.ToArray()));

        var late = tally.View(beforeMidnight, Shanghai, Map, 1);
        var early = tally.View(afterMidnight, Shanghai, Map, 1);

        Assert.Equal((Nov22, new Output(300, 11550m)), (late.Today, late.OutputToday));
        Assert.Equal((new DateOnly(2026, 11, 23), new Output(20, 770m), new Output(300, 11550m)), (early.Today, early.OutputToday, early.OutputYesterday));
        Assert.Equal(20, early.Chain.Nodes.Single(n => n.Id == "knives").OutputToday);
        Assert.Equal(new DailyOutput(Nov22, 300, 11550m), early.Daily[^2]);
        Assert.Equal(new DailyOutput(new DateOnly(2026, 11, 23), 20, 770m), early.Daily[^1]);
    }

    [Fact]
    public void The_district_day_is_the_configured_time_zone_s_not_UTC()
    {
        var utc = DistrictCalendar.For("UTC");
        var instant = new DateTimeOffset(2026, 11, 22, 16, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateOnly(2026, 11, 23), Shanghai.DateOf(instant));
        Assert.Equal(Nov22, utc.DateOf(instant));
    }

    [Fact]
    public void History_holds_the_last_thirty_days_ending_today_with_quiet_days_at_zero_and_recorded_days_added()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", [new(Nov22.AddDays(-40), 999, 1m), new(Nov22.AddDays(-29), 10, 100m), new(Nov22.AddDays(-1), 5, 50m), new(Nov22, 1, 10m)]));
        tally.Apply(Rollup("b", "locks", [new(Nov22.AddDays(-1), 7, 70m)]));
        tally.Record([new(Nov22.AddDays(-1), 1000, 10000m), new(Nov22.AddDays(-2), 2000, 20000m)]);

        var view = tally.View(Evening, Shanghai, Map, 1);

        Assert.Equal(DistrictTally.HistoryDays, view.Daily.Length);
        Assert.Equal(new DailyOutput(Nov22.AddDays(-29), 10, 100m), view.Daily[0]);
        Assert.Equal(new DailyOutput(Nov22.AddDays(-28), 0, 0m), view.Daily[1]);
        Assert.Equal(new DailyOutput(Nov22.AddDays(-2), 2000, 20000m), view.Daily[^3]);
        Assert.Equal(new DailyOutput(Nov22.AddDays(-1), 1012, 10120m), view.Daily[^2]);
        Assert.Equal(new DailyOutput(Nov22, 1, 10m), view.Daily[^1]);
        Assert.Equal(new Output(1012, 10120m), view.OutputYesterday);
    }

    [Fact]
    public void Procurement_sums_closed_and_open_bundles_and_leaves_out_failed_and_cancelled_ones()
    {
        var tally = new DistrictTally();
        var closes = Evening.AddDays(3);
        tally.Apply(new BundleRollup("steel", BundleStates.Open, "strip", 100, 20600m, 2_060_000m, 40_000m, closes));
        tally.Apply(new BundleRollup("steel", BundleStates.Open, "strip", 260, 20300m, 5_278_000m, 182_000m, closes));
        tally.Apply(new BundleRollup("carton", BundleStates.Closed, "carton", 325, 3300m, 1_072_500m, 162_500m, closes));
        tally.Apply(new BundleRollup("brass", BundleStates.Failed, "rod", 5, 52000m, 260_000m, 0m, closes));
        tally.Apply(new BundleRollup("zinc", BundleStates.Cancelled, "ingot", 50, 17000m, 850_000m, 50_000m, closes));

        Assert.Equal(new ProcurementFigures(1, 1, 6_350_500m, 344_500m), tally.Procurement());
    }

    [Fact]
    public void Open_bundles_past_their_deadline_are_named_once_to_be_woken_and_ended_ones_never()
    {
        var tally = DistrictTally.Restore(new TallySnapshot([],
        [
            new BundleRollup("steel", BundleStates.Open, "strip", 260, 20300m, 5_278_000m, 182_000m, Evening),
            new BundleRollup("carton", BundleStates.Open, "carton", 325, 3300m, 1_072_500m, 162_500m, Evening.AddHours(1)),
            new BundleRollup("brass", BundleStates.Failed, "rod", 5, 52000m, 260_000m, 0m, Evening.AddHours(-1)),
        ], []));

        Assert.Empty(tally.OverdueBundles(Evening.AddSeconds(-1)));
        Assert.Equal(["steel"], tally.OverdueBundles(Evening));
        Assert.Empty(tally.OverdueBundles(Evening.AddMinutes(1)));
        Assert.Equal(["carton"], tally.OverdueBundles(Evening.AddHours(2)));
    }

    [Fact]
    public void A_links_oee_is_made_of_its_firms_sums_not_an_average_of_their_oee()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives"));
        tally.Apply(Rollup("zhangxiaoquan", "knives"));
        tally.Apply(Rollup("guan", "locks"));
        tally.Apply(Rollup("nowhere", null));

        // Qiaofeng: 8 h planned, 6 h running, 5 h of ideal time, 950 good of 1,000 (OEE 0.75 x 0.8333 x 0.95).
        // Zhang: 2 h planned, 2 h running, 1 h ideal, all 100 good (OEE 1 x 0.5 x 1).
        FirmOee[] firms =
        [
            new("qiaofeng", Nov22, new OeeFigures(8 * 3600, 6 * 3600, 5 * 3600, 950, 50), Evening),
            new("zhangxiaoquan", Nov22, new OeeFigures(2 * 3600, 2 * 3600, 1 * 3600, 100, 0), Evening),
            new("guan", Nov22.AddDays(-1), new OeeFigures(3600, 3600, 3600, 10, 0), Evening), // yesterday's: not today's OEE
            new("nowhere", Nov22, new OeeFigures(3600, 3600, 3600, 10, 0), Evening),          // on no link
            new("unregistered", Nov22, new OeeFigures(3600, 3600, 3600, 10, 0), Evening),
        ];

        var view = ChainOee.Add(tally.View(Evening, Shanghai, Map, 1), firms, tally.Enterprises, Nov22);

        var knives = view.Chain.Nodes.Single(n => n.Id == "knives").Oee!;
        Assert.Equal(new OeeFigures(10 * 3600, 8 * 3600, 6 * 3600, 1050, 50), knives);
        Assert.Equal((0.8, 0.75, 0.9545), (knives.Availability, knives.Performance, knives.Quality));
        Assert.Equal(Math.Round(0.8 * 0.75 * 0.9545, 4), knives.Oee);
        Assert.Null(view.Chain.Nodes.Single(n => n.Id == "locks").Oee);
        Assert.Null(view.Chain.Nodes.Single(n => n.Id == "steel").Oee);
    }

    [Fact]
    public void Without_any_firms_oee_the_view_is_the_same()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives"));
        var view = tally.View(Evening, Shanghai, Map, 1);

        Assert.Same(view, ChainOee.Add(view, [], tally.Enterprises, Nov22));
    }

    [Fact]
    public void Alerts_put_late_orders_first_then_faults_then_orders_at_risk_and_stay_bounded()
    {
        var due = Evening.AddHours(-5);
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", watch: [new("A-2", OrderStatuses.AtRisk, Evening.AddDays(1), "knife", 0.4)]));
        tally.Apply(Rollup("b", "locks", faults: [new("T1", "E-03", Evening.AddMinutes(-3))]));
        tally.Apply(Rollup("c", "locks", watch: [new("C-9", OrderStatuses.Late, due, "padlock", 0.7), new("C-1", OrderStatuses.Late, due.AddHours(-1), "padlock", 0.5)]));
        for (var i = 0; i < 60; i++)
        {
            tally.Apply(Rollup($"z{i:00}", "knives", watch: [new("Z", OrderStatuses.AtRisk, Evening.AddDays(2), "knife", 0.1)], orders: new StatusCounts(0, 0, 1, 0, 0)));
        }

        var view = tally.View(Evening, Shanghai, Map, 1);

        Assert.Equal(DistrictTally.MaxAlerts, view.Alerts.Length);
        Assert.Equal(
            [("order-late", "c", "C-1"), ("order-late", "c", "C-9"), ("terminal-fault", "b", "T1"), ("order-at-risk", "a", "A-2"), ("order-at-risk", "z00", "Z")],
            view.Alerts.Take(5).Select(a => (a.Kind, a.Enterprise, a.Order ?? a.Terminal)));
        Assert.Equal(61, view.AlertsTotal);

        tally.Apply(Rollup("c", "locks"));
        Assert.Equal(("terminal-fault", "b"), (tally.View(Evening, Shanghai, Map, 2).Alerts[0].Kind, tally.View(Evening, Shanghai, Map, 2).Alerts[0].Enterprise));
    }

    [Fact]
    public void Enterprises_whose_orders_passed_their_due_time_are_named_once_as_stale()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("a", "knives", nextDue: Evening.AddMinutes(-1)));
        tally.Apply(Rollup("b", "knives", nextDue: Evening.AddMinutes(30)));
        tally.Apply(Rollup("c", "knives"));

        Assert.Equal(["a"], tally.StaleBy(Evening));
        Assert.Empty(tally.StaleBy(Evening));
        Assert.Equal(["b"], tally.StaleBy(Evening.AddHours(1)));
    }

    [Fact]
    public void A_tally_restored_from_its_snapshot_shows_the_same_view()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives", [new(Nov22, 100, 3850m)], new StatusCounts(0, 2, 1, 1, 0), online: 3,
            nextDue: Evening.AddHours(1)));
        tally.Apply(Rollup("guan", "locks", [new(Nov22, 50, 2250m)]));
        tally.Apply(new BundleRollup("steel", BundleStates.Open, "strip", 100, 20600m, 2_060_000m, 40_000m, Evening.AddDays(1)));
        tally.Record([new DailyOutput(Nov22.AddDays(-400), 9, 90m), new DailyOutput(Nov22.AddDays(-1), 70, 700m)]);

        var restored = DistrictTally.Restore(tally.Snapshot());

        Assert.Equal(tally.View(Evening, Shanghai, Map, 3), restored.View(Evening, Shanghai, Map, 3), new ViewComparer());
        Assert.Equal(tally.StaleBy(Evening.AddHours(2)), restored.StaleBy(Evening.AddHours(2)));
        Assert.Equal(tally.Snapshot().Recorded, restored.Snapshot().Recorded);
    }

    [Fact]
    public void A_tally_restored_from_nothing_is_empty()
    {
        var view = DistrictTally.Restore(null).View(Evening, Shanghai, Map, 1);

        Assert.Equal(0, view.Enterprises);
        Assert.Equal(Output.Zero, view.OutputToday);
    }

    /// <summary>Views compared as their JSON: they hold arrays, which records compare by reference.</summary>
    private sealed class ViewComparer : IEqualityComparer<CockpitView>
    {
        public bool Equals(CockpitView? x, CockpitView? y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(CockpitView obj) => 0;
    }
}
