using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class LatenessTests
{
    private static readonly DateTimeOffset Due = new(2026, 11, 23, 18, 0, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(OrderStatuses.OnTrack)]
    [InlineData(OrderStatuses.AtRisk)]
    public void An_order_told_on_track_or_at_risk_is_late_once_its_due_time_passed(string told)
    {
        Assert.Equal(told, Lateness.AsOf(told, Due, Due));
        Assert.Equal(OrderStatuses.Late, Lateness.AsOf(told, Due, Due.AddTicks(1)));
    }

    [Theory]
    [InlineData(OrderStatuses.Done)]
    [InlineData(OrderStatuses.Unplanned)]
    [InlineData(OrderStatuses.Late)]
    public void Done_unplanned_and_late_orders_keep_what_they_told(string told) =>
        Assert.Equal(told, Lateness.AsOf(told, Due, Due.AddDays(30)));

    [Fact]
    public void An_order_without_a_due_time_never_turns_late()
    {
        Assert.False(Lateness.PastDue(null, Due.AddYears(1)));
        Assert.Equal(OrderStatuses.OnTrack, Lateness.AsOf(OrderStatuses.OnTrack, null, Due.AddYears(1)));
    }

    [Fact]
    public void The_order_and_those_who_hold_its_figures_agree_on_when_it_is_late()
    {
        var plan = new OrderPlan("slaughter knife 8in", 100, 38.5m, Due, [new RoutingStep("pack", null, null)]);
        foreach (var now in new[] { Due.AddHours(-1), Due, Due.AddTicks(1), Due.AddDays(2) })
        {
            var told = Lateness.Status(plan, 50, null, Due.AddHours(-2));
            Assert.Equal(Lateness.Status(plan, 50, null, now), Lateness.AsOf(told, plan.Due, now));
        }
    }

    [Theory]
    [InlineData(OrderStatuses.Late, true)]
    [InlineData(OrderStatuses.AtRisk, true)]
    [InlineData(OrderStatuses.OnTrack, false)]
    [InlineData(OrderStatuses.Done, false)]
    [InlineData(OrderStatuses.Unplanned, false)]
    public void Late_and_at_risk_orders_are_behind(string status, bool behind) =>
        Assert.Equal(behind, Lateness.IsBehind(status));
}
