using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class OrderCountsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 8, 15, 30, TimeSpan.Zero);

    private static Reading R(string terminal, string step, int run, long seq, long good, long scrap = 0) =>
        new(terminal, step, run, seq, good, scrap, At);

    [Fact]
    public void A_first_reading_is_applied_and_becomes_the_step_count()
    {
        var counts = new OrderCounts();

        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "rough-grind", 0, 1042, 8642, 3), out var detail));

        Assert.Null(detail);
        Assert.Equal(new StepCount(8642, 3), counts.CountOf("rough-grind"));
        Assert.Equal(1, counts.KeptCount);
    }

    [Fact]
    public void Readings_are_cumulative_so_a_higher_seq_replaces_the_kept_counts()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 1, 10, 1), out _);
        counts.Apply(R("T1", "forge", 0, 2, 25, 2), out _);

        Assert.Equal(new StepCount(25, 2), counts.CountOf("forge"));
        Assert.Equal(1, counts.KeptCount);
    }

    [Fact]
    public void A_reading_with_the_same_seq_is_a_duplicate_even_with_other_counts()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 5, 100, 1), out _);

        Assert.Equal(ReadingVerdict.Duplicate, counts.Apply(R("T1", "forge", 0, 5, 999, 9), out var detail));

        Assert.Null(detail);
        Assert.Equal(new StepCount(100, 1), counts.CountOf("forge"));
    }

    [Fact]
    public void A_reading_with_a_lower_seq_is_a_duplicate_not_an_error()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 5, 100), out _);

        // A late reading from before: lower seq, lower counts. Not counter-decreased; simply old.
        Assert.Equal(ReadingVerdict.Duplicate, counts.Apply(R("T1", "forge", 0, 4, 90), out var detail));

        Assert.Null(detail);
        Assert.Equal(new StepCount(100, 0), counts.CountOf("forge"));
    }

    [Fact]
    public void Readings_arriving_out_of_order_end_at_the_highest_seq()
    {
        var counts = new OrderCounts();
        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "forge", 0, 3, 30), out _));
        Assert.Equal(ReadingVerdict.Duplicate, counts.Apply(R("T1", "forge", 0, 1, 10), out _));
        Assert.Equal(ReadingVerdict.Duplicate, counts.Apply(R("T1", "forge", 0, 2, 20), out _));

        Assert.Equal(new StepCount(30, 0), counts.CountOf("forge"));
    }

    [Fact]
    public void Good_going_down_at_a_higher_seq_is_refused_with_the_exact_detail_and_changes_nothing()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "rough-grind", 0, 1042, 8642, 3), out _);

        Assert.Equal(ReadingVerdict.CounterDecreased, counts.Apply(R("T1", "rough-grind", 0, 1043, 8600, 3), out var detail));

        Assert.Equal("good 8600 < 8642 in run 0", detail);
        Assert.Equal(new StepCount(8642, 3), counts.CountOf("rough-grind"));
        Assert.Equal([new KeptEntry("T1", "rough-grind", 0, 1042, 8642, 3)], counts.Snapshot());
    }

    [Fact]
    public void Scrap_going_down_at_a_higher_seq_is_refused_with_the_exact_detail_and_changes_nothing()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "polish", 3, 10, 500, 7), out _);

        Assert.Equal(ReadingVerdict.CounterDecreased, counts.Apply(R("T1", "polish", 3, 11, 510, 6), out var detail));

        Assert.Equal("scrap 6 < 7 in run 3", detail);
        Assert.Equal(new StepCount(500, 7), counts.CountOf("polish"));
    }

    [Fact]
    public void When_good_and_scrap_both_go_down_the_detail_names_good()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "polish", 0, 1, 50, 5), out _);

        counts.Apply(R("T1", "polish", 0, 2, 40, 4), out var detail);

        Assert.Equal("good 40 < 50 in run 0", detail);
    }

    [Fact]
    public void A_refused_reading_does_not_move_the_kept_seq_so_the_next_good_reading_still_applies()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 1, 100), out _);
        counts.Apply(R("T1", "forge", 0, 2, 50), out _);

        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "forge", 0, 2, 120), out _));
        Assert.Equal(new StepCount(120, 0), counts.CountOf("forge"));
    }

    [Fact]
    public void Counts_that_stay_equal_at_a_higher_seq_are_applied()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 1, 100, 2), out _);

        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "forge", 0, 2, 100, 2), out _));
        Assert.Equal([new KeptEntry("T1", "forge", 0, 2, 100, 2)], counts.Snapshot());
    }

    [Fact]
    public void A_new_run_after_a_counter_reset_adds_to_the_previous_run()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "edge", 0, 900, 5000, 12), out _);

        // The terminal's counter was reset: run 1 starts again from low counts and a low seq.
        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "edge", 1, 1, 40, 1), out var detail));
        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "edge", 1, 2, 75, 1), out _));

        Assert.Null(detail);
        Assert.Equal(new StepCount(5075, 13), counts.CountOf("edge"));
        Assert.Equal(2, counts.KeptCount);
    }

    [Fact]
    public void A_late_reading_of_an_old_run_still_updates_that_run()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "edge", 0, 10, 100), out _);
        counts.Apply(R("T1", "edge", 1, 1, 5), out _);

        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "edge", 0, 11, 110), out _));

        Assert.Equal(new StepCount(115, 0), counts.CountOf("edge"));
    }

    [Fact]
    public void Several_terminals_on_one_step_sum()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "rough-grind", 0, 1, 100, 1), out _);
        counts.Apply(R("T2", "rough-grind", 0, 1, 50, 2), out _);
        counts.Apply(R("T3", "rough-grind", 0, 7, 25, 0), out _);
        counts.Apply(R("T1", "rough-grind", 0, 2, 120, 1), out _);
        counts.Apply(R("T9", "fine-grind", 0, 1, 60, 0), out _);

        Assert.Equal(new StepCount(195, 3), counts.CountOf("rough-grind"));
        Assert.Equal(new StepCount(60, 0), counts.CountOf("fine-grind"));
        Assert.Equal(3, counts.TerminalsOf("rough-grind"));
        Assert.Equal(1, counts.TerminalsOf("fine-grind"));
    }

    [Fact]
    public void One_terminal_with_two_runs_on_a_step_is_one_terminal()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "edge", 0, 1, 10), out _);
        counts.Apply(R("T1", "edge", 1, 1, 10), out _);

        Assert.Equal(1, counts.TerminalsOf("edge"));
    }

    [Fact]
    public void A_step_never_counted_is_zero_with_no_terminals()
    {
        var counts = new OrderCounts();

        Assert.Equal(default, counts.CountOf("pack"));
        Assert.Equal(0, counts.TerminalsOf("pack"));
        Assert.Empty(counts.Steps);
    }

    [Fact]
    public void Terminal_step_and_run_are_separate_counters_compared_by_exact_name()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 5, 100), out _);

        // Same seq, but another terminal (case matters): applied, not a duplicate.
        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("t1", "forge", 0, 5, 1), out _));
        Assert.Equal(ReadingVerdict.Applied, counts.Apply(R("T1", "Forge", 0, 5, 2), out _));

        Assert.Equal(new StepCount(101, 0), counts.CountOf("forge"));
        Assert.Equal(new StepCount(2, 0), counts.CountOf("Forge"));
    }

    [Fact]
    public void Entries_round_trip_to_the_same_counts_and_the_same_duplicate_decisions()
    {
        var counts = new OrderCounts();
        counts.Apply(R("T1", "forge", 0, 10, 100, 1), out _);
        counts.Apply(R("T2", "forge", 0, 3, 40, 0), out _);
        counts.Apply(R("T1", "forge", 1, 2, 7, 2), out _);
        counts.Apply(R("T3", "pack", 0, 99, 30, 0), out _);

        var restored = OrderCounts.Restore(counts.Snapshot());

        Assert.Equal(4, restored.KeptCount);
        Assert.Equal(new StepCount(147, 3), restored.CountOf("forge"));
        Assert.Equal(new StepCount(30, 0), restored.CountOf("pack"));
        Assert.Equal(
            counts.Snapshot().OrderBy(e => e.Terminal).ThenBy(e => e.Step).ThenBy(e => e.Run),
            restored.Snapshot().OrderBy(e => e.Terminal).ThenBy(e => e.Step).ThenBy(e => e.Run));
        Assert.Equal(ReadingVerdict.Duplicate, restored.Apply(R("T1", "forge", 0, 10, 500), out _));
        Assert.Equal(ReadingVerdict.CounterDecreased, restored.Apply(R("T1", "forge", 0, 11, 99), out var detail));
        Assert.Equal("good 99 < 100 in run 0", detail);
    }

    [Fact]
    public void No_entries_restore_empty_counts()
    {
        Assert.Equal(0, OrderCounts.Restore(null).KeptCount);
        Assert.Empty(OrderCounts.Restore([]).Snapshot());
    }
}
