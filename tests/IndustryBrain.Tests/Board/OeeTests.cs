using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Board;

/// <summary>OEE per ISO 22400: availability = APT / PBT, performance (effectiveness) = ideal time of the pieces made / APT, quality = good / produced.</summary>
public sealed class OeeTests
{
    private static readonly TimeZoneInfo Chongqing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateOnly Day = new(2026, 11, 21);

    private static DateTimeOffset Local(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, Cst);

    [Fact]
    public void The_three_parts_and_their_product()
    {
        // Planned 8 h, ran 6 h; 2,000 pieces at an ideal 400 an hour = 5 h of ideal time; 1,900 good.
        var oee = new OeeFigures(8 * 3600, 6 * 3600, 5 * 3600, 1900, 100);

        Assert.Equal(0.75, oee.Availability);
        Assert.Equal(0.8333, oee.Performance);
        Assert.Equal(0.95, oee.Quality);
        Assert.Equal(Math.Round(0.75 * 0.8333 * 0.95, 4), oee.Oee); // the product of the parts as shown
    }

    [Fact]
    public void Without_planned_time_running_time_or_pieces_a_part_is_unknown_not_zero()
    {
        Assert.Null(OeeFigures.Zero.Availability);
        Assert.Null(OeeFigures.Zero.Performance);
        Assert.Null(OeeFigures.Zero.Quality);
        Assert.Null(OeeFigures.Zero.Oee);
        Assert.Null(new OeeFigures(3600, 3600, 0, 10, 0).Performance);
    }

    [Fact]
    public void Sums_add_up_so_a_firms_oee_weighs_its_terminals_by_their_time()
    {
        var a = new OeeFigures(3600, 3600, 3600, 100, 0);
        var b = new OeeFigures(3 * 3600, 0, 0, 0, 0);

        Assert.Equal(0.25, a.Add(b).Availability);
        Assert.Equal(1, a.Add(b).Performance);
    }

    [Fact]
    public void A_terminals_day_running_time_is_what_it_ran_within_its_shifts_across_a_midnight_shift()
    {
        var calendar = new ShiftCalendar([new Shift("22:00", "06:00")]);
        var terminal = new TerminalRecord { Terminal = "T1" };

        // Running from 23:00 the night before, idle from 02:00 to 03:00, running until 07:30 (past the shift's end), offline after.
        TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Running, 1, null, Local(20, 23)));
        TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Idle, 2, null, Local(21, 2)));
        TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Running, 3, null, Local(21, 3)));
        TerminalActivity.Status(terminal, new TerminalStatus("T1", TerminalStates.Offline, null, null, Local(21, 7, 30)));
        TerminalActivity.Counted(terminal, new TerminalCount("T1", "QF-1", "grind", 1140, 60, Local(21, 4), 300), Day);

        var dayStart = ShiftTimes.StartOf(Day, Chongqing);
        var now = Local(21, 12);
        var day = TerminalActivity.Today(terminal, ShiftTimes.Planned(calendar, Chongqing, dayStart, now), Day, dayStart, now);

        // The district day so far holds 00:00-06:00 of the night shift: 6 h planned, 5 h running (00-02, 03-06).
        Assert.Equal(6 * 3600, day.PlannedSeconds);
        Assert.Equal(5 * 3600, day.RunningSeconds);
        Assert.Equal(4 * 3600, day.IdealSeconds); // 1,200 pieces at 300 an hour
        Assert.Equal(Math.Round(5 / 6.0, 4), day.Availability);
        Assert.Equal(0.8, day.Performance);
        Assert.Equal(0.95, day.Quality);
        Assert.Equal(TerminalStates.Offline, terminal.State);
        Assert.Equal(Local(21, 7, 30), terminal.Since);
    }

    [Fact]
    public void A_terminal_that_never_told_its_state_has_no_availability()
    {
        var terminal = new TerminalRecord { Terminal = "T9" };
        TerminalActivity.Counted(terminal, new TerminalCount("T9", "QF-1", "pack", 10, 0, Local(21, 9), null), Day);
        var dayStart = ShiftTimes.StartOf(Day, Chongqing);

        var day = TerminalActivity.Today(terminal, ShiftTimes.Planned(ShiftCalendar.Default, Chongqing, dayStart, Local(21, 12)), Day, dayStart, Local(21, 12));

        Assert.Null(day.Availability);
        Assert.Equal(1, day.Quality);
    }
}
