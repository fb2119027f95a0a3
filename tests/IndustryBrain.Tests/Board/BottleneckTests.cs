using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Board;

public sealed class BottleneckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(8));

    private static BoardStep Step(string step, long good, double? rate) => new(step, step + "-name", good, 0, 0, rate, null);

    [Fact]
    public void The_bottleneck_is_the_step_that_at_its_rate_finishes_last_with_the_rate_it_needs_by_the_due_time()
    {
        // 18,225 planned, due in 48 hours. Blanking is ahead and fast; rough grinding has 9,583 left at 300 an hour (32 h);
        // packing has 18,225 left at 600 an hour (30 h): grinding sets the finish.
        var due = Now.AddHours(48);
        BoardStep[] steps = [Step("blank", 18225, 900), Step("rough-grind", 8642, 300), Step("pack", 0, 600)];

        var b = Bottleneck.Of(18225, due, steps, Now)!;

        Assert.Equal("rough-grind", b.Step);
        Assert.Equal("rough-grind-name", b.Name);
        Assert.Equal(9583, b.Remaining);
        Assert.Equal(300, b.RatePerHour);
        Assert.Equal(Math.Round(9583 / 48.0, 1), b.NeededRatePerHour);
        Assert.Equal(Now.AddHours(9583 / 300.0), b.FinishesAt);
    }

    [Fact]
    public void A_step_with_pieces_left_and_no_rate_yet_is_the_bottleneck_before_any_step_with_a_rate()
    {
        BoardStep[] steps = [Step("blank", 100, 50), Step("heat-treat", 0, null), Step("pack", 10, 1)];

        var b = Bottleneck.Of(1000, Now.AddHours(10), steps, Now)!;

        Assert.Equal("heat-treat", b.Step);
        Assert.Null(b.RatePerHour);
        Assert.Null(b.FinishesAt);
        Assert.Equal(100, b.NeededRatePerHour);
    }

    [Fact]
    public void Finished_steps_are_never_the_bottleneck_and_a_finished_order_has_none()
    {
        BoardStep[] steps = [Step("blank", 1000, null), Step("pack", 400, 100)];

        Assert.Equal("pack", Bottleneck.Of(1000, Now.AddHours(10), steps, Now)!.Step);
        Assert.Null(Bottleneck.Of(400, Now.AddHours(10), steps, Now));
    }

    [Fact]
    public void Past_the_due_time_no_rate_is_enough_so_none_is_given()
    {
        Assert.Null(Bottleneck.NeededRate(100, Now.AddMinutes(-1), Now));
        Assert.Null(Bottleneck.NeededRate(100, null, Now));
        Assert.Equal(50, Bottleneck.NeededRate(100, Now.AddHours(2), Now));
    }
}
