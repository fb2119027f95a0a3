using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class DailyLedgerTests
{
    private static readonly DistrictCalendar Shanghai = DistrictCalendar.For("Asia/Shanghai");

    [Fact]
    public void The_district_day_ends_at_midnight_in_Shanghai_which_is_16_00_utc()
    {
        Assert.Equal(new DateOnly(2026, 11, 22), Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T15:59:59Z")));
        Assert.Equal(new DateOnly(2026, 11, 23), Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T16:00:00Z")));
    }

    [Fact]
    public void The_district_day_does_not_depend_on_the_offset_an_instant_is_written_in()
    {
        Assert.Equal(new DateOnly(2026, 11, 23), Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T11:00:00-05:00")));
        Assert.Equal(new DateOnly(2026, 11, 22), Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T23:59:59+08:00")));
        Assert.Equal(new DateOnly(2026, 11, 22), Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T00:00:00+08:00")));
    }

    [Fact]
    public void A_utc_district_ends_its_day_at_utc_midnight()
    {
        var utc = DistrictCalendar.For("UTC");

        Assert.Equal(new DateOnly(2026, 11, 22), utc.DateOf(DateTimeOffset.Parse("2026-11-22T23:59:59Z")));
        Assert.Equal(new DateOnly(2026, 11, 23), utc.DateOf(DateTimeOffset.Parse("2026-11-23T00:00:00Z")));
    }

    [Fact]
    public void Local_time_is_the_same_instant_at_plus_eight()
    {
        var local = Shanghai.Local(DateTimeOffset.Parse("2026-11-22T16:00:00Z"));

        Assert.Equal(TimeSpan.FromHours(8), local.Offset);
        Assert.Equal(new DateTime(2026, 11, 23, 0, 0, 0), local.DateTime);
    }

    [Fact]
    public void Output_added_on_one_day_sums()
    {
        var ledger = new DailyLedger();
        var day = new DateOnly(2026, 11, 22);
        ledger.Add(day, 100, 3850m);
        ledger.Add(day, 20, 770.5m);

        Assert.Equal(new Output(120, 4620.5m), ledger.On(day));
        Assert.Equal([new DailyOutput(day, 120, 4620.5m)], ledger.ToArray());
    }

    [Fact]
    public void Readings_before_and_after_midnight_land_on_two_days()
    {
        var ledger = new DailyLedger();
        ledger.Add(Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T15:59:59Z")), 10, 100m);
        ledger.Add(Shanghai.DateOf(DateTimeOffset.Parse("2026-11-22T16:00:00Z")), 3, 30m);

        Assert.Equal(new Output(10, 100m), ledger.On(new DateOnly(2026, 11, 22)));
        Assert.Equal(new Output(3, 30m), ledger.On(new DateOnly(2026, 11, 23)));
    }

    [Fact]
    public void A_day_without_output_is_zero_and_adding_nothing_records_no_day()
    {
        var ledger = new DailyLedger();
        ledger.Add(new DateOnly(2026, 11, 22), 0, 0m);

        Assert.Equal(Output.Zero, ledger.On(new DateOnly(2026, 11, 22)));
        Assert.Empty(ledger.ToArray());
    }

    [Fact]
    public void A_correction_can_lower_a_day()
    {
        var ledger = new DailyLedger();
        var day = new DateOnly(2026, 11, 22);
        ledger.Add(day, 100, 1000m);
        ledger.Add(day, -40, -400m);

        Assert.Equal(new Output(60, 600m), ledger.On(day));
    }

    [Fact]
    public void Only_the_last_31_days_are_kept_in_date_order()
    {
        var ledger = new DailyLedger();
        var first = new DateOnly(2026, 10, 1);
        for (var i = 34; i >= 0; i--)
        {
            ledger.Add(first.AddDays(i), i + 1, i + 1);
        }

        var days = ledger.ToArray();

        Assert.Equal(DailyLedger.Days, days.Length);
        Assert.Equal(first.AddDays(4), days[0].Date);
        Assert.Equal(first.AddDays(34), days[^1].Date);
        Assert.Equal(days.OrderBy(d => d.Date).Select(d => d.Date), days.Select(d => d.Date));
        Assert.Equal(Output.Zero, ledger.On(first.AddDays(3)));
    }

    [Fact]
    public void A_ledger_rebuilt_from_its_days_is_the_same()
    {
        var ledger = new DailyLedger();
        ledger.Add(new DateOnly(2026, 11, 21), 5, 50m);
        ledger.Add(new DateOnly(2026, 11, 22), 7, 70m);

        var rebuilt = DailyLedger.Restore(ledger.Snapshot());

        Assert.Equal(ledger.ToArray(), rebuilt.ToArray());
        Assert.Equal(new Output(7, 70m), rebuilt.On(new DateOnly(2026, 11, 22)));
    }
}
