using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Board;

public sealed class StepPaceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_steps_rate_is_its_good_pieces_an_hour_from_the_oldest_anchor_to_the_latest_count()
    {
        var pace = new StepPace();
        pace.Observe("grind", T0, 100);
        Assert.Null(pace.RatePerHour("grind"));

        pace.Observe("grind", T0.AddMinutes(30), 250);
        pace.Observe("grind", T0.AddMinutes(30).AddSeconds(10), 255);

        Assert.Equal(155 / (1810 / 3600.0), pace.RatePerHour("grind")!.Value, 6);
        Assert.Null(pace.RatePerHour("pack"));
    }

    [Fact]
    public void Only_the_last_sixteen_anchors_a_minute_apart_count()
    {
        var pace = new StepPace();
        for (var minute = 0; minute <= 30; minute++)
        {
            // 10 an minute for the first 14 minutes, then 60 a minute.
            pace.Observe("pack", T0.AddMinutes(minute), minute <= 14 ? minute * 10 : 140 + ((minute - 14) * 60));
        }

        // Anchors at minutes 15..30: 15 minutes at 60 a minute.
        Assert.Equal(3600, pace.RatePerHour("pack")!.Value, 6);
    }
}
