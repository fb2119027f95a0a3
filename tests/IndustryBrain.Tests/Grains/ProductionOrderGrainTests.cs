using System.Text.Json;
using IndustryBrain.Contracts;

namespace IndustryBrain.Tests.Grains;

[Collection(BrainClusterCollection.Name)]
public sealed class ProductionOrderGrainTests(BrainCluster brain)
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private static readonly DateTimeOffset At = new(2026, 11, 22, 8, 15, 30, TimeSpan.Zero);

    private readonly string _enterprise = "e-" + Guid.NewGuid().ToString("N")[..12];

    private IProductionOrderGrain Order(string order = "QF-2611-0042") =>
        brain.Grains.GetGrain<IProductionOrderGrain>(Keys.Order(_enterprise, order));

    private static Reading R(string terminal, string step, long seq, long good, long scrap = 0, int run = 0, DateTimeOffset? ts = null) =>
        new(terminal, step, run, seq, good, scrap, ts ?? At);

    private static Task<ApplyOutcome> Apply(IProductionOrderGrain order, params Reading[] readings) => order.Apply(new ReadingBatch(readings));

    private static OrderPlan Plan(long quantity, DateTimeOffset due, params RoutingStep[] routing) =>
        new("slaughter knife 8in", quantity, 38.5m, due, routing);

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static StepProgress Step(OrderProgress progress, string step) => Assert.Single(progress.Steps, s => s.Step == step);

    [Fact]
    public async Task A_batch_is_applied_and_each_step_shows_the_sum_of_its_terminals()
    {
        var order = Order();

        var outcome = await Apply(order,
            R("T1", "rough-grind", 1, 100, 1),
            R("T2", "rough-grind", 1, 40, 2),
            R("T1", "rough-grind", 2, 130, 1),
            R("T3", "polish", 9, 70));

        Assert.Equal(4, outcome.Applied);
        Assert.Equal(0, outcome.Duplicates);
        Assert.Empty(outcome.Rejections);
        var progress = await order.GetProgress();
        Assert.Equal((170L, 3L, 2), (Step(progress, "rough-grind").Good, Step(progress, "rough-grind").Scrap, Step(progress, "rough-grind").Terminals));
        Assert.Equal((70L, 0L, 1), (Step(progress, "polish").Good, Step(progress, "polish").Scrap, Step(progress, "polish").Terminals));
        Assert.Equal(At, progress.LastReadingAt);
    }

    [Fact]
    public async Task Duplicates_in_a_batch_and_across_batches_are_counted_and_ignored()
    {
        var order = Order();

        var first = await Apply(order, R("T1", "forge", 1, 10), R("T1", "forge", 2, 20), R("T1", "forge", 2, 999), R("T1", "forge", 1, 10));
        var second = await Apply(order, R("T1", "forge", 2, 20), R("T1", "forge", 1, 5), R("T1", "forge", 3, 30));
        var third = await Apply(order, R("T1", "forge", 3, 30));

        Assert.Equal((2, 2), (first.Applied, first.Duplicates));
        Assert.Equal((1, 2), (second.Applied, second.Duplicates));
        Assert.Equal((0, 1), (third.Applied, third.Duplicates));
        Assert.Equal(30, Step(await order.GetProgress(), "forge").Good);
    }

    [Fact]
    public async Task A_batch_with_nothing_in_it_is_the_empty_outcome()
    {
        var outcome = await Apply(Order());

        Assert.Equal((0, 0, 0), (outcome.Applied, outcome.Duplicates, outcome.Rejections.Length));
    }

    [Fact]
    public async Task A_decreasing_counter_is_rejected_with_who_why_and_seq_and_the_rest_of_the_batch_applies()
    {
        var order = Order();
        await Apply(order, R("T1", "rough-grind", 1042, 8642, 3));
        var before = brain.Now;

        var outcome = await Apply(order, R("T1", "rough-grind", 1043, 8600, 3), R("T2", "rough-grind", 1, 10));

        Assert.Equal((1, 0), (outcome.Applied, outcome.Duplicates));
        var rejection = Assert.Single(outcome.Rejections);
        Assert.Equal(
            new Rejection(_enterprise, "T1", "counter-decreased", 1043, "good 8600 < 8642 in run 0", rejection.At),
            rejection);
        Assert.InRange(rejection.At, before, brain.Now);
        Assert.Equal(8652, Step(await order.GetProgress(), "rough-grind").Good);
    }

    [Fact]
    public async Task A_counter_reset_starts_a_new_run_that_adds_to_the_old_one()
    {
        var order = Order();

        await Apply(order, R("T1", "edge", 500, 5000, 12));
        var outcome = await Apply(order, R("T1", "edge", 1, 40, 1, run: 1), R("T1", "edge", 2, 75, 1, run: 1));

        Assert.Equal(2, outcome.Applied);
        Assert.Empty(outcome.Rejections);
        var edge = Step(await order.GetProgress(), "edge");
        Assert.Equal((5075L, 13L, 1), (edge.Good, edge.Scrap, edge.Terminals));
    }

    [Fact]
    public async Task Readings_before_the_plan_are_kept_as_an_unplanned_order()
    {
        var order = Order();

        await Apply(order, R("T1", "forge", 3, 300, 2), R("T2", "pack", 1, 50));
        var progress = await order.GetProgress();

        Assert.Equal("unplanned", progress.Status);
        Assert.Equal((_enterprise, "QF-2611-0042"), (progress.Enterprise, progress.Order));
        Assert.Null(progress.Product);
        Assert.Null(progress.Quantity);
        Assert.Null(progress.Due);
        Assert.Null(progress.Eta);
        Assert.Equal((0.0, 0L, 0m), (progress.Progress, progress.Completed, progress.OutputValue));
        Assert.Equal(
            [new StepProgress("forge", null, 0, 300, 2, 0, 1, At, At), new StepProgress("pack", null, 0, 50, 0, 0, 1, At, At)],
            progress.Steps);
    }

    [Fact]
    public async Task A_plan_after_readings_turns_unplanned_into_planned_with_the_same_counts()
    {
        var order = Order();
        await Apply(order, R("T1", "blank", 7, 1000), R("T2", "forge", 3, 500, 4), R("T3", "pack", 2, 250, 1), R("T4", "rework", 1, 9));
        Assert.Equal("unplanned", (await order.GetProgress()).Status);
        var due = new DateTimeOffset(brain.Now.UtcDateTime.AddDays(30).Date, TimeSpan.Zero).ToOffset(Shanghai);

        var planned = await order.Plan(Plan(1000, due,
            new RoutingStep("blank", "下料", 1), new RoutingStep("forge", "锻打", 1), new RoutingStep("pack", "包装", 2)));

        Assert.Equal(Json(planned), Json(await order.GetProgress()));
        Assert.Equal("on-track", planned.Status);
        Assert.Equal(("slaughter knife 8in", (long?)1000, (decimal?)38.5m, (DateTimeOffset?)due), (planned.Product, planned.Quantity, planned.UnitPrice, planned.Due));
        // (1 x 1.0 + 1 x 0.5 + 2 x 0.25) / 4
        Assert.Equal(0.5, planned.Progress);
        Assert.Equal(250, planned.Completed);
        Assert.Equal(9625m, planned.OutputValue);
        Assert.Equal(
            [
                new StepProgress("blank", "下料", 1, 1000, 0, 1.0, 1, At, At),
                new StepProgress("forge", "锻打", 1, 500, 4, 0.5, 1, At, At),
                new StepProgress("pack", "包装", 2, 250, 1, 0.25, 1, At, At),
                new StepProgress("rework", null, 0, 9, 0, 0.009, 1, At, At),
            ],
            planned.Steps);
    }

    [Fact]
    public async Task Progress_is_rounded_to_four_places_and_a_step_never_counted_shows_zero()
    {
        var order = Order();
        var due = brain.Now.AddDays(10);
        await order.Plan(Plan(18225, due, new RoutingStep("rough-grind", null, null), new RoutingStep("fine-grind", null, null), new RoutingStep("pack", null, null)));

        await Apply(order, R("T1", "rough-grind", 1042, 8642, 3));
        var progress = await order.GetProgress();

        Assert.Equal(Math.Round(8642.0 / 18225 / 3, 4), progress.Progress);
        Assert.Equal(0.1581, progress.Progress);
        Assert.Equal(8642.0 / 18225, Step(progress, "rough-grind").Progress);
        Assert.Equal(new StepProgress("fine-grind", null, 1, 0, 0, 0, 0), Step(progress, "fine-grind"));
        Assert.Equal(0, progress.Completed);
    }

    [Fact]
    public async Task The_eta_follows_the_rate_of_the_readings_and_is_given_in_the_offset_of_due()
    {
        var order = Order();
        var t0 = DateTimeOffset.FromUnixTimeSeconds(brain.Now.ToUnixTimeSeconds() - 3600);
        var due = t0.AddHours(30).ToOffset(Shanghai);
        await order.Plan(Plan(1024, due, new RoutingStep("pack", null, null)));

        await Apply(order, R("T1", "pack", 1, 256, ts: t0));
        await Apply(order, R("T1", "pack", 2, 512, ts: t0.AddSeconds(128)));
        var progress = await order.GetProgress();

        // 1/4 of the order in 128 s: the other half takes 256 s more.
        Assert.Equal(t0.AddSeconds(384), progress.Eta);
        Assert.Equal(Shanghai, progress.Eta!.Value.Offset);
        Assert.Equal("on-track", progress.Status);
        Assert.Equal(t0.AddSeconds(128), progress.LastReadingAt);
    }

    [Fact]
    public async Task An_order_projected_to_finish_after_due_is_at_risk()
    {
        var order = Order();
        var now = DateTimeOffset.FromUnixTimeSeconds(brain.Now.ToUnixTimeSeconds());
        var due = now.AddMinutes(10);
        await order.Plan(Plan(1024, due, new RoutingStep("pack", null, null)));

        // 1/1024 of the order per 8 s: 512 pieces left take 4096 s, long after due.
        await Apply(order, R("T1", "pack", 1, 496, ts: now.AddSeconds(-128)));
        await Apply(order, R("T1", "pack", 2, 512, ts: now));
        var progress = await order.GetProgress();

        Assert.Equal(now.AddSeconds(4096), progress.Eta);
        Assert.Equal("at-risk", progress.Status);
    }

    [Fact]
    public async Task The_eta_of_an_early_order_follows_its_readings_not_the_jump_from_unplanned_to_planned()
    {
        var order = Order();
        var t0 = DateTimeOffset.FromUnixTimeSeconds(brain.Now.ToUnixTimeSeconds() - 128);

        // Readings before the plan: 8 pieces in 128 s, at 512 of 1024 pieces.
        await Apply(order, R("T1", "pack", 1, 512, ts: t0));
        await Apply(order, R("T1", "pack", 2, 520, ts: t0.AddSeconds(128)));
        var planned = await order.Plan(Plan(1024, t0.AddHours(1), new RoutingStep("pack", null, null)));

        // At that pace the other 504 pieces take 8064 s: t0 + 8192 s, long after due. An estimate from the
        // readings says so; no estimate at all would be honest too. What must not happen is an eta that takes
        // the order's whole progress as made since the first unplanned reading.
        Assert.True(planned.Eta is null || planned.Eta >= t0.AddSeconds(8192),
            $"eta {planned.Eta:o} is earlier than the readings' pace allows ({t0.AddSeconds(8192):o}); status {planned.Status}");
    }

    [Fact]
    public async Task An_order_past_due_and_not_complete_is_late_and_a_complete_one_is_done()
    {
        var late = Order("late");
        var done = Order("done");
        var due = brain.Now.AddHours(-1);
        await late.Plan(Plan(100, due, new RoutingStep("forge", null, null), new RoutingStep("pack", null, null)));
        await done.Plan(Plan(100, due, new RoutingStep("forge", null, null), new RoutingStep("pack", null, null)));

        await Apply(late, R("T1", "forge", 1, 100), R("T2", "pack", 1, 99));
        await Apply(done, R("T1", "forge", 1, 100), R("T2", "pack", 1, 100));

        Assert.Equal("late", (await late.GetProgress()).Status);
        var finished = await done.GetProgress();
        Assert.Equal(("done", 1.0, 100L, 3850m), (finished.Status, finished.Progress, finished.Completed, finished.OutputValue));
    }

    [Fact]
    public async Task A_new_plan_replaces_the_old_and_keeps_the_counts()
    {
        var order = Order();
        var due = brain.Now.AddDays(5);
        await order.Plan(Plan(100, due, new RoutingStep("forge", null, null), new RoutingStep("pack", null, null)));
        await Apply(order, R("T1", "forge", 1, 80), R("T2", "pack", 1, 40));

        var replanned = await order.Plan(Plan(200, due, new RoutingStep("forge", null, null), new RoutingStep("pack", null, null)) with { UnitPrice = 10m });

        Assert.Equal((200L, 0.3, 40L, 400m), (replanned.Quantity!.Value, replanned.Progress, replanned.Completed, replanned.OutputValue));
    }

    [Fact]
    public async Task A_bad_plan_is_refused_and_the_order_is_unchanged()
    {
        var order = Order();
        await Apply(order, R("T1", "forge", 1, 80));
        var before = Json(await order.GetProgress());

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            order.Plan(Plan(0, brain.Now.AddDays(1), new RoutingStep("forge", null, null))));

        Assert.StartsWith("quantity must be between 1 and 1000000000", error.Message);
        Assert.Equal(before, Json(await order.GetProgress()));
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        var order = Order();
        var t0 = DateTimeOffset.FromUnixTimeSeconds(brain.Now.ToUnixTimeSeconds() - 600);
        await order.Plan(Plan(1024, t0.AddDays(2).ToOffset(Shanghai), new RoutingStep("forge", "锻打", 1), new RoutingStep("pack", "包装", 3)));
        await Apply(order, R("T1", "forge", 10, 256, 1, ts: t0), R("T2", "pack", 4, 128, 0, ts: t0));
        await Apply(order, R("T1", "forge", 11, 512, 2, ts: t0.AddSeconds(128)), R("T1", "forge", 1, 8, run: 1, ts: t0.AddSeconds(128)));
        var before = await order.GetProgress();

        await brain.Deactivate(order);
        var after = await order.GetProgress();

        Assert.Equal(Json(before), Json(after));
        Assert.NotNull(after.Eta);
        Assert.Equal(520, Step(after, "forge").Good);
        // The kept seqs survived too: old readings are still duplicates, a lower count is still refused.
        var outcome = await Apply(order, R("T1", "forge", 11, 512, 2), R("T2", "pack", 4, 128), R("T1", "forge", 12, 500, 2));
        Assert.Equal((0, 2), (outcome.Applied, outcome.Duplicates));
        Assert.Equal("good 500 < 512 in run 0", Assert.Single(outcome.Rejections).Detail);
    }

    [Fact]
    public async Task An_unplanned_order_survives_deactivation_and_is_planned_later_with_its_counts()
    {
        var order = Order();
        await Apply(order, R("T1", "forge", 3, 30), R("T1", "pack", 2, 20, 1));

        await brain.Deactivate(order);
        Assert.Equal("unplanned", (await order.GetProgress()).Status);
        var planned = await order.Plan(Plan(40, brain.Now.AddDays(1), new RoutingStep("forge", null, null), new RoutingStep("pack", null, null)));

        Assert.Equal(("on-track", 0.625, 20L), (planned.Status, planned.Progress, planned.Completed));
        Assert.Equal((20L, 1L), (Step(planned, "pack").Good, Step(planned, "pack").Scrap));
    }

    [Fact]
    public async Task A_plan_tells_the_enterprise_the_orders_figures_at_once()
    {
        var order = Order();
        await Apply(order, R("T1", "pack", 1, 25));
        var due = brain.Now.AddDays(3);

        await order.Plan(Plan(100, due, new RoutingStep("pack", null, null)));
        var summary = Assert.Single(await brain.Grains.GetGrain<IEnterpriseGrain>(_enterprise).ListOrders());

        Assert.Equal(("QF-2611-0042", "on-track", "slaughter knife 8in", (long?)100, 38.5m, (DateTimeOffset?)due, 0.25, 25L),
            (summary.Order, summary.Status, summary.Product, summary.Quantity, summary.UnitPrice, summary.Due, summary.Progress, summary.Completed));
    }

    [Fact]
    public async Task Readings_reach_the_enterprise_at_the_next_flush_not_before()
    {
        var order = Order();
        await order.Plan(Plan(100, brain.Now.AddDays(3), new RoutingStep("pack", null, null)));
        var enterprise = brain.Grains.GetGrain<IEnterpriseGrain>(_enterprise);
        Assert.Equal(0L, Assert.Single(await enterprise.ListOrders()).Completed);

        await Apply(order, R("T1", "pack", 1, 40));
        Assert.Equal(40, Step(await order.GetProgress(), "pack").Good); // the order knows at once
        Assert.Equal(0L, Assert.Single(await enterprise.ListOrders()).Completed); // the enterprise hears at the flush

        await brain.Advance(TimeSpan.FromSeconds(1));
        var summary = await BrainCluster.Until(async () => Assert.Single(await enterprise.ListOrders()), s => s.Completed == 40, "the flush reported");
        Assert.Equal(0.4, summary.Progress);
    }

    [Fact]
    public async Task Two_enterprises_may_use_the_same_order_id()
    {
        var mine = Order("QF-1");
        var theirs = brain.Grains.GetGrain<IProductionOrderGrain>(Keys.Order(_enterprise + "-other", "QF-1"));

        await Apply(mine, R("T1", "forge", 1, 10));
        await Apply(theirs, R("T1", "forge", 1, 99));

        Assert.Equal(10, Step(await mine.GetProgress(), "forge").Good);
        Assert.Equal(99, Step(await theirs.GetProgress(), "forge").Good);
    }

    [Fact]
    public async Task Readings_dated_at_the_edges_of_time_never_break_the_order()
    {
        // The ingest refuses such readings now; an order that took them before (or from another door) still answers.
        var order = Order();
        var due = DateTimeOffset.UtcNow.AddDays(3).ToOffset(Shanghai);
        await order.Plan(Plan(1000, due, new RoutingStep("blank", null, null), new RoutingStep("pack", null, null)));

        await Apply(order, R("T1", "blank", 1, 10, ts: new DateTimeOffset(9999, 12, 31, 23, 0, 0, TimeSpan.Zero)));
        await Apply(order, R("T1", "blank", 2, 20, ts: new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero)));
        await Apply(order, R("T1", "pack", 1, 1000, ts: DateTimeOffset.MaxValue));

        var progress = await order.GetProgress();
        Assert.Equal(20, Step(progress, "blank").Good);
        await order.Plan(Plan(2000, due, new RoutingStep("blank", null, null), new RoutingStep("pack", null, null)));
        Assert.Single(await brain.Grains.GetGrain<IEnterpriseGrain>(_enterprise).ListOrders());

        var old = Order("QF-OLD");
        await Apply(old, R("T1", "pack", 1, 1, ts: DateTimeOffset.MinValue), R("T1", "pack", 2, 2, ts: DateTimeOffset.MinValue.AddSeconds(5)));
        await old.Plan(Plan(10, due, new RoutingStep("pack", null, null)));
        Assert.Equal(2, Step(await old.GetProgress(), "pack").Good);
    }
}
