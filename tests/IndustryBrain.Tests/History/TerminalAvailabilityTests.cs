using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.History;

/// <summary>Terminal availability per district day from status changes (the rule; the endpoint is tested in HistoryAvailabilityTests).</summary>
public sealed class TerminalAvailabilityTests
{
    private static readonly TimeZoneInfo District = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly DateOnly Day = new(2026, 11, 20);

    /// <summary>A local time of the district on <see cref="Day"/> plus <paramref name="days"/>.</summary>
    private static DateTimeOffset At(int days, int hour) => new DateTimeOffset(Day.AddDays(days).ToDateTime(new TimeOnly(hour, 0)), TimeSpan.FromHours(8));

    private static StatusChange S(string terminal, int days, int hour, string state) => new(terminal, At(days, hour), state);

    [Fact]
    public void A_status_carried_over_midnight_counts_in_both_days_and_before_the_first_status_is_unknown()
    {
        StatusChange[] changes =
        [
            S("T1", 0, 22, TerminalStates.Running),
            S("T1", 1, 2, TerminalStates.Idle),
            S("T1", 1, 6, TerminalStates.Fault),
            S("T1", 1, 12, TerminalStates.Offline),
            S("T1", 1, 18, TerminalStates.Running),
        ];

        var days = TerminalAvailability.Compute(changes, Day, Day.AddDays(2), District, now: At(2, 6));

        Assert.Equal(3, days.Length);
        Assert.Equal((7200d, 0d, 0d, 0d, 79200d, 1.0), (days[0].Running, days[0].Idle, days[0].Fault, days[0].Offline, days[0].Unknown, days[0].Availability));
        Assert.Equal((28800d, 14400d, 21600d, 21600d, 0d), (days[1].Running, days[1].Idle, days[1].Fault, days[1].Offline, days[1].Unknown));
        Assert.Equal(1d / 3, days[1].Availability!.Value, 10);

        // Today up to now only: 6 hours running since midnight, nothing after now, nothing unknown.
        Assert.Equal((21600d, 0d, 6 * 3600d, 1.0), (days[2].Running, days[2].Unknown, days[2].Observed, days[2].Availability));
    }

    [Fact]
    public void The_status_in_force_before_the_range_counts_from_its_first_instant_and_terminals_are_apart()
    {
        StatusChange[] changes =
        [
            S("T2", -5, 9, TerminalStates.Fault), // the last change before the range: still in fault when it begins
            S("T2", 0, 12, TerminalStates.Running),
            S("T1", 0, 6, TerminalStates.Idle),
        ];

        var days = TerminalAvailability.Compute(changes.Reverse(), Day, Day, District, now: At(3, 0));

        Assert.Equal(["T1", "T2"], days.Select(d => d.Terminal));
        Assert.Equal((0d, 18 * 3600d, 6 * 3600d, 0.0), (days[0].Running, days[0].Idle, days[0].Unknown, days[0].Availability));
        Assert.Equal((12 * 3600d, 12 * 3600d, 0d, 0.5), (days[1].Running, days[1].Fault, days[1].Unknown, days[1].Availability));
    }

    [Fact]
    public void A_day_without_any_known_status_has_no_availability()
    {
        var days = TerminalAvailability.Compute([S("T1", 2, 8, TerminalStates.Running)], Day, Day.AddDays(1), District, now: At(3, 0));

        Assert.All(days, d => Assert.Null(d.Availability));
        Assert.All(days, d => Assert.Equal(86400d, d.Unknown));
    }

    [Fact]
    public void District_days_begin_at_local_midnight()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 16, 0, 0, TimeSpan.Zero), TerminalAvailability.StartOf(Day, District));
    }
}
