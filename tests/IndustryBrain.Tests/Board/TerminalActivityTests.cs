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
}
