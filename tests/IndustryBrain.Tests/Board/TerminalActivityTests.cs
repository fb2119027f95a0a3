using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Board;

public sealed class TerminalActivityTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Day = new(2026, 11, 21);

    [Fact]
    public void The_rate_is_good_pieces_an_hour_over_the_last_ten_minutes()
    {
        var terminal = new TerminalRecord { Terminal = "T1" };
        TerminalActivity.Counted(terminal, new TerminalCount("T1", "QF-1", "grind", 500, 0, T0, null), Day);
        TerminalActivity.Counted(terminal, new TerminalCount("T1", "QF-1", "grind", 40, 3, T0.AddMinutes(12), null), Day);
        TerminalActivity.Counted(terminal, new TerminalCount("T1", "QF-1", "grind", 60, 0, T0.AddMinutes(15), null), Day);

        // At 02:15:30 the window holds minutes 02:06..02:15: 100 good in ten minutes.
        Assert.Equal(600, TerminalActivity.RatePerHour(terminal, T0.AddMinutes(15).AddSeconds(30)));
        Assert.Equal(0, TerminalActivity.RatePerHour(terminal, T0.AddMinutes(40)));
        Assert.Equal(("grind", "QF-1"), (terminal.Step, terminal.Order));
    }

    [Fact]
    public void The_highest_seq_wins_a_last_will_always_applies_and_since_is_when_the_state_began()
    {
        var terminal = new TerminalRecord { Terminal = "T1" };
        Assert.True(TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Running, 5, null, T0)));
        Assert.True(TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Running, 6, null, T0.AddMinutes(5))));
        Assert.Equal(T0, terminal.Since);

        Assert.False(TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Idle, 4, null, T0.AddMinutes(6))));
        Assert.True(TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Fault, 7, "E-17", T0.AddMinutes(7))));
        Assert.Equal((TerminalStates.Fault, "E-17", T0.AddMinutes(7)), (terminal.State, terminal.Fault, terminal.Since));

        Assert.True(TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Offline, null, null, T0.AddMinutes(8))));
        Assert.Equal((TerminalStates.Offline, (string?)null), (terminal.State, terminal.Fault));
    }
    [Fact]
    public void Pieces_add_up_per_day_order_and_step_and_days_before_yesterday_go_also_after_a_reload()
    {
        var terminal = new TerminalRecord { Terminal = "T1" };
        for (var order = 0; order < 300; order++)
        {
            TerminalActivity.Counted(terminal, new TerminalCount("T1", $"QF-{order}", "grind", 10, 1, T0, null), Day.AddDays(-2));
        }

        TerminalActivity.Counted(terminal, new TerminalCount("T1", "QF-7", "grind", 5, 0, T0.AddDays(1), null), Day.AddDays(-1));
        TerminalActivity.Counted(terminal, new TerminalCount("T1", "QF-7", "grind", 6, 2, T0.AddDays(1), null), Day.AddDays(-1));
        Assert.Equal(301, terminal.Tallies.Count);

        // Stored and read again (the board keeps the record as it is): the same tallies are found and added to.
        var reloaded = System.Text.Json.JsonSerializer.Deserialize<TerminalRecord>(System.Text.Json.JsonSerializer.Serialize(terminal))!;
        TerminalActivity.Counted(reloaded, new TerminalCount("T1", "QF-7", "grind", 1, 0, T0.AddDays(1), null), Day.AddDays(-1));
        TerminalActivity.Counted(reloaded, new TerminalCount("T1", "QF-7", "polish", 4, 0, T0.AddDays(2), null), Day);

        // Today's first tally drops the day before yesterday's 300.
        Assert.Equal(
            [new PieceTally(Day.AddDays(-1), "QF-7", "grind", 12, 2, 0), new PieceTally(Day, "QF-7", "polish", 4, 0, 0)],
            reloaded.Tallies);
        TerminalActivity.Counted(reloaded, new TerminalCount("T1", "QF-7", "polish", 3, 1, T0.AddDays(2), null), Day);
        Assert.Equal(new PieceTally(Day, "QF-7", "polish", 7, 1, 0), reloaded.Tallies[^1]);
    }
}
