using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class RoutingWatchTests
{
    private static readonly OrderPlan Plan = new("knife", 100, 1m, DateTimeOffset.UtcNow.AddDays(1),
        [new RoutingStep("blank", "下料", null), new RoutingStep("pack", "包装", null)]);

    private static Reading At(string terminal, string step, long seq = 1) => new(terminal, step, 0, seq, 10, 0, DateTimeOffset.UtcNow);

    [Fact]
    public void A_step_on_the_routing_tells_nobody()
    {
        var watch = new RoutingWatch();
        Assert.Null(watch.Tell(Plan, "O1", At("T1", "blank")));
        Assert.Null(watch.Tell(Plan, "O1", At("T1", "pack")));
    }

    [Fact]
    public void A_step_off_the_routing_is_told_once_per_terminal_and_step()
    {
        var watch = new RoutingWatch();
        Assert.Equal("step 'forge' is not on the routing of order O1 (blank, pack); the count is kept and weighs nothing until the routing has it",
            watch.Tell(Plan, "O1", At("T1", "forge")));
        Assert.Null(watch.Tell(Plan, "O1", At("T1", "forge", seq: 2)));
        Assert.NotNull(watch.Tell(Plan, "O1", At("T2", "forge")));
        Assert.NotNull(watch.Tell(Plan, "O1", At("T1", "polish")));
    }

    [Fact]
    public void An_order_without_a_plan_tells_nobody_its_readings_came_early()
    {
        Assert.Null(new RoutingWatch().Tell(null, "O1", At("T1", "forge")));
    }

    [Fact]
    public void A_new_plan_tells_again()
    {
        var watch = new RoutingWatch();
        Assert.NotNull(watch.Tell(Plan, "O1", At("T1", "forge")));
        watch.PlanChanged();
        Assert.NotNull(watch.Tell(Plan, "O1", At("T1", "forge", seq: 2)));
    }
}
