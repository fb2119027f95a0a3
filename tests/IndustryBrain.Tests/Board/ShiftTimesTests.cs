using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Board;

/// <summary>Planned busy time from a firm's shift calendar in the district's time zone (ISO 22400's PBT).</summary>
public sealed class ShiftTimesTests
{
    private static readonly TimeZoneInfo Chongqing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static DateTimeOffset Local(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, Cst);

    [Fact]
    public void The_default_day_shift_is_eight_to_eight_local_time_not_utc()
    {
        var spans = ShiftTimes.Planned(ShiftCalendar.Default, Chongqing, Local(21, 0), Local(22, 0));

        var span = Assert.Single(spans);
        Assert.Equal(Local(21, 8), span.From);
        Assert.Equal(Local(21, 20), span.To);
        Assert.Equal(12 * 3600, span.Seconds);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), span.From.ToUniversalTime());
    }

    [Fact]
    public void A_night_shift_spans_midnight_and_counts_on_both_days()
    {
        var calendar = new ShiftCalendar([new Shift("08:00", "20:00"), new Shift("22:00", "06:00")]);

        // The district day of 21 November: the night shift of the 20th until 06:00, the day shift, the night shift from 22:00.
        var spans = ShiftTimes.Planned(calendar, Chongqing, Local(21, 0), Local(22, 0));

        Assert.Equal([(Local(21, 0), Local(21, 6)), (Local(21, 8), Local(21, 20)), (Local(21, 22), Local(22, 0))], spans.Select(s => (s.From, s.To)));
        Assert.Equal((6 + 12 + 2) * 3600, spans.Sum(s => s.Seconds));
    }

    [Fact]
    public void Planned_time_so_far_stops_at_now()
    {
        var spans = ShiftTimes.Planned(ShiftCalendar.Default, Chongqing, Local(21, 0), Local(21, 10, 30));

        Assert.Equal(2.5 * 3600, Assert.Single(spans).Seconds);
        Assert.Empty(ShiftTimes.Planned(ShiftCalendar.Default, Chongqing, Local(21, 0), Local(21, 7)));
    }

    [Fact]
    public void Days_pick_the_weekdays_a_shift_runs_and_overlapping_shifts_count_once()
    {
        // 21 November 2026 is a Saturday, the 23rd a Monday.
        var weekdays = new ShiftCalendar([new Shift("08:00", "17:00", ["mon", "tue", "wed", "thu", "fri"]), new Shift("12:00", "18:00", ["mon"])]);

        Assert.Empty(ShiftTimes.Planned(weekdays, Chongqing, Local(21, 0), Local(22, 0)));
        var monday = ShiftTimes.Planned(weekdays, Chongqing, Local(23, 0), Local(24, 0));
        Assert.Equal((Local(23, 8), Local(23, 18)), (Assert.Single(monday).From, monday[0].To));
    }

    [Fact]
    public void Overlap_is_the_time_two_sets_of_spans_share()
    {
        List<Span> a = [new(Local(21, 7), Local(21, 9)), new(Local(21, 12), Local(21, 21))];
        List<Span> b = [new(Local(21, 8), Local(21, 20))];

        Assert.Equal((1 + 8) * 3600, ShiftTimes.Overlap(a, b));
    }

    [Theory]
    [InlineData("8:00", "20:00")]
    [InlineData("08:00", "24:00")]
    [InlineData("08:00", "08:00")]
    [InlineData("", "20:00")]
    public void A_shift_needs_two_different_times_as_HH_mm(string start, string end) =>
        Assert.NotNull(ShiftTimes.Problem(new ShiftCalendar([new Shift(start, end)])));

    [Fact]
    public void A_calendar_needs_shifts_and_known_day_names()
    {
        Assert.NotNull(ShiftTimes.Problem(new ShiftCalendar([])));
        Assert.NotNull(ShiftTimes.Problem(null));
        Assert.NotNull(ShiftTimes.Problem(new ShiftCalendar([new Shift("08:00", "20:00", ["monday"])])));
        Assert.Null(ShiftTimes.Problem(new ShiftCalendar([new Shift("22:00", "06:00", ["sun", "sat"])])));
    }
}
