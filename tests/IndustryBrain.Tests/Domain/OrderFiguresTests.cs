using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class OrderFiguresTests
{
    private static readonly DateTimeOffset Due = new(2026, 11, 23, 18, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset T0 = Due.AddHours(-10);

    private static readonly OrderPlan Plan = new("slaughter knife 8in", 100, 38.5m, Due,
        [new RoutingStep("forge", null, null), new RoutingStep("pack", null, null)]);

    private static OrderCounts Counts(long forged, long packed)
    {
        var counts = new OrderCounts();
        counts.Apply(new Reading("T1", "forge", 0, 1, forged, 0, T0), out _);
        counts.Apply(new Reading("T2", "pack", 0, 1, packed, 0, T0), out _);
        return counts;
    }

    /// <summary>A curve from <paramref name="from"/> at T0 to the counts' progress an hour later.</summary>
    private static EtaEstimator Curve(double from, OrderCounts counts)
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, from);
        eta.Observe(T0.AddHours(1), OrderRules.Progress(Plan, counts));
        return eta;
    }

    [Fact]
    public void Figures_come_from_the_plan_the_counts_and_the_curve()
    {
        var counts = Counts(60, 20);

        var figures = OrderFigures.Of(Plan, counts, Curve(0.2, counts), T0.AddHours(1));

        Assert.Equal(0.4, figures.Progress);
        Assert.Equal(20, figures.Completed);
        Assert.Equal(40, figures.InProcess);
        Assert.Equal(T0.AddHours(4), figures.Eta!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(OrderStatuses.OnTrack, figures.Status);
    }

    [Fact]
    public void Progress_is_kept_to_four_places()
    {
        var plan = Plan with { Quantity = 3 };

        Assert.Equal(0.1667, OrderFigures.Of(plan, Counts(1, 0), new EtaEstimator(), T0).Progress);
    }

    [Fact]
    public void An_order_whose_curve_ends_after_its_due_time_is_at_risk_and_after_it_late()
    {
        var counts = Counts(10, 0);
        var eta = Curve(0, counts);

        Assert.Equal(OrderStatuses.AtRisk, OrderFigures.Of(Plan, counts, eta, T0.AddHours(1)).Status);
        Assert.Equal(OrderStatuses.Late, OrderFigures.Of(Plan, counts, eta, Due.AddTicks(1)).Status);
    }

    [Fact]
    public void An_unplanned_order_has_no_eta_and_no_progress()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.5);

        var figures = OrderFigures.Of(null, Counts(10, 5), eta, T0);

        Assert.Equal(OrderStatuses.Unplanned, figures.Status);
        Assert.Null(figures.Eta);
        Assert.Equal(0, figures.Progress);
        Assert.Equal(0, figures.Completed);
    }
}
