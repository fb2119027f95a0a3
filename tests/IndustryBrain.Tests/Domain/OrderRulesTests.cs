using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class OrderRulesTests
{
    private static readonly DateTimeOffset Due = new(2026, 11, 23, 18, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset At = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static OrderPlan Plan(long quantity, params RoutingStep[] routing) =>
        new("slaughter knife 8in", quantity, 38.5m, Due, routing);

    private static RoutingStep Step(string step, double? weight = null) => new(step, null, weight);

    private static OrderCounts Counts(params (string Step, long Good)[] goods)
    {
        var counts = new OrderCounts();
        foreach (var (step, good) in goods)
        {
            counts.Apply(new Reading("T1", step, 0, 1, good, 0, At), out _);
        }

        return counts;
    }

    [Theory]
    [InlineData(0, 100, 0.0)]
    [InlineData(50, 100, 0.5)]
    [InlineData(100, 100, 1.0)]
    [InlineData(150, 100, 1.0)]
    [InlineData(8642, 18225, 8642.0 / 18225)]
    [InlineData(5, 0, 0.0)]
    [InlineData(5, -1, 0.0)]
    public void Step_progress_is_good_over_quantity_clamped_to_one(long good, long quantity, double expected) =>
        Assert.Equal(expected, OrderRules.StepProgress(good, quantity));

    [Fact]
    public void A_step_without_weight_weighs_one()
    {
        Assert.Equal(1.0, OrderRules.Weight(Step("blank")));
        Assert.Equal(2.5, OrderRules.Weight(Step("blank", 2.5)));
    }

    [Fact]
    public void Order_progress_is_the_mean_of_equal_steps_by_default()
    {
        var plan = Plan(100, Step("blank"), Step("forge"), Step("pack"), Step("qc"));

        var progress = OrderRules.Progress(plan, Counts(("blank", 100), ("forge", 50), ("pack", 0)));

        Assert.Equal(0.375, progress);
    }

    [Fact]
    public void Order_progress_is_the_weighted_mean_of_the_steps()
    {
        var plan = Plan(100, Step("blank", 1), Step("forge", 3), Step("pack", 4));

        var progress = OrderRules.Progress(plan, Counts(("blank", 100), ("forge", 50), ("pack", 25)));

        Assert.Equal((1 * 1.0 + 3 * 0.5 + 4 * 0.25) / 8, progress);
        Assert.Equal(0.4375, progress);
    }

    [Fact]
    public void Order_progress_counts_a_step_over_quantity_as_done_and_ignores_steps_off_the_routing()
    {
        var plan = Plan(100, Step("blank"), Step("forge"));

        var progress = OrderRules.Progress(plan, Counts(("blank", 250), ("forge", 50), ("rework", 100)));

        Assert.Equal(0.75, progress);
    }

    [Fact]
    public void An_unplanned_order_has_no_progress_or_completed_pieces()
    {
        var counts = Counts(("pack", 500));

        Assert.Equal(0, OrderRules.Progress(null, counts));
        Assert.Equal(0, OrderRules.Completed(null, counts));
    }

    [Fact]
    public void Completed_is_the_good_count_of_the_last_routing_step()
    {
        var plan = Plan(1000, Step("blank"), Step("forge"), Step("pack"));

        Assert.Equal(7, OrderRules.Completed(plan, Counts(("blank", 900), ("forge", 800), ("pack", 7), ("qc", 500))));
        Assert.Equal(0, OrderRules.Completed(plan, Counts(("blank", 900))));
    }

    [Fact]
    public void Without_a_plan_the_status_is_unplanned()
    {
        Assert.Equal("unplanned", Lateness.Status(null, 1_000_000, null, At));
    }

    [Fact]
    public void All_pieces_through_the_last_step_is_done_even_past_due()
    {
        var plan = Plan(100, Step("pack"));

        Assert.Equal("done", Lateness.Status(plan, 100, null, Due.AddDays(3)));
        Assert.Equal("done", Lateness.Status(plan, 101, Due.AddDays(9), Due.AddDays(-1)));
    }

    [Fact]
    public void One_piece_short_past_due_is_late()
    {
        var plan = Plan(100, Step("pack"));

        Assert.Equal("late", Lateness.Status(plan, 99, null, Due.AddTicks(1)));
    }

    [Fact]
    public void Exactly_at_due_the_order_is_not_yet_late()
    {
        var plan = Plan(100, Step("pack"));

        Assert.Equal("on-track", Lateness.Status(plan, 99, null, Due));
    }

    [Fact]
    public void An_eta_after_due_is_at_risk_and_an_eta_at_due_is_on_track()
    {
        var plan = Plan(100, Step("pack"));
        var now = Due.AddHours(-10);

        Assert.Equal("at-risk", Lateness.Status(plan, 50, Due.AddTicks(1), now));
        Assert.Equal("on-track", Lateness.Status(plan, 50, Due, now));
        Assert.Equal("on-track", Lateness.Status(plan, 50, Due.AddHours(-5), now));
    }

    [Fact]
    public void Without_an_eta_a_planned_order_before_due_is_on_track()
    {
        Assert.Equal("on-track", Lateness.Status(Plan(100, Step("pack")), 0, null, Due.AddHours(-1)));
    }

    [Fact]
    public void The_eta_is_compared_as_an_instant_whatever_its_offset()
    {
        var plan = Plan(100, Step("pack"));
        var sameInstantInUtc = Due.ToUniversalTime();

        Assert.Equal("on-track", Lateness.Status(plan, 50, sameInstantInUtc, Due.AddHours(-1)));
        Assert.Equal("at-risk", Lateness.Status(plan, 50, sameInstantInUtc.AddSeconds(1), Due.AddHours(-1)));
    }

    [Fact]
    public void A_sound_plan_has_no_problem()
    {
        var plan = new OrderPlan("slaughter knife 8in", 18225, 38.5m, Due,
            [new RoutingStep("blank", "下料", null), new RoutingStep("forge", "锻打", 2), new RoutingStep("pack", "包装", 0.5)]);

        Assert.Null(OrderRules.PlanProblem(plan, Due));
        Assert.Null(OrderRules.PlanProblem(plan with { Quantity = 1, UnitPrice = 0 }, Due));
        Assert.Null(OrderRules.PlanProblem(plan with { Quantity = 1_000_000_000, UnitPrice = 100_000_000m }, Due));
        Assert.Null(OrderRules.PlanProblem(plan with { Product = new string('p', 200) }, Due));
        Assert.Null(OrderRules.PlanProblem(plan with { Routing = [.. Enumerable.Range(0, 100).Select(i => Step($"s{i}"))] }, Due));
        Assert.Null(OrderRules.PlanProblem(plan with { Routing = [new RoutingStep("pack", new string('n', 100), 1_000_000)] }, Due));
    }

    public static TheoryData<string, OrderPlan?> BadPlans()
    {
        var good = new OrderPlan("knife", 100, 1m, Due, [Step("blank"), Step("pack")]);
        return new TheoryData<string, OrderPlan?>
        {
            { "the body must be an order plan", null },
            { "product must be 1 to 200 characters", good with { Product = "" } },
            { "product must be 1 to 200 characters", good with { Product = "   " } },
            { "product must be 1 to 200 characters", good with { Product = null! } },
            { "product must be 1 to 200 characters", good with { Product = new string('p', 201) } },
            { "quantity must be between 1 and 1000000000", good with { Quantity = 0 } },
            { "quantity must be between 1 and 1000000000", good with { Quantity = -5 } },
            { "quantity must be between 1 and 1000000000", good with { Quantity = 1_000_000_001 } },
            { "unitPrice must be between 0 and 100000000", good with { UnitPrice = -0.01m } },
            { "unitPrice must be between 0 and 100000000", good with { UnitPrice = 100_000_000.01m } },
            { "due is missing", good with { Due = default } },
            { "routing must have at least one step", good with { Routing = null! } },
            { "routing must have at least one step", good with { Routing = [] } },
            { "routing has more than 100 steps", good with { Routing = [.. Enumerable.Range(0, 101).Select(i => Step($"s{i}"))] } },
            { "routing has an empty step", good with { Routing = [Step("blank"), null!] } },
            { "routing step is missing", good with { Routing = [Step("")] } },
            { "routing step is missing", good with { Routing = [new RoutingStep(null!, "x", null)] } },
            { "routing step 'rough grind' has characters outside [A-Za-z0-9._-]", good with { Routing = [Step("rough grind")] } },
            { "routing step is longer than 64 characters", good with { Routing = [Step(new string('s', 65))] } },
            { "routing step 'blank' appears twice", good with { Routing = [Step("blank"), Step("forge"), Step("blank")] } },
            { "weight of routing step 'forge' must be positive", good with { Routing = [Step("forge", 0)] } },
            { "weight of routing step 'forge' must be positive", good with { Routing = [Step("forge", -1)] } },
            { "weight of routing step 'forge' must be positive", good with { Routing = [Step("forge", double.NaN)] } },
            { "weight of routing step 'forge' must be positive", good with { Routing = [Step("forge", double.PositiveInfinity)] } },
            { "weight of routing step 'forge' must be positive", good with { Routing = [Step("forge", 1_000_001)] } },
            { "name of routing step 'forge' is longer than 100 characters", good with { Routing = [new RoutingStep("forge", new string('n', 101), null)] } },
            { "product has a control or formatting character (U+0000) at position 5", good with { Product = "knife\0" } },
            { "name of routing step 'forge' has a control or formatting character (U+001B) at position 1", good with { Routing = [new RoutingStep("forge", "锻\u001b[31m", null)] } },
            { "due must lie within 10 years before and 100 years after today", good with { Due = new DateTimeOffset(1, 1, 2, 0, 0, 0, TimeSpan.Zero) } },
            { "due must lie within 10 years before and 100 years after today", good with { Due = DateTimeOffset.MaxValue } },
            { "due must lie within 10 years before and 100 years after today", good with { Due = Due.AddYears(101) } },
            { "due must lie within 10 years before and 100 years after today", good with { Due = Due.AddYears(-11) } },
        };
    }

    [Theory]
    [MemberData(nameof(BadPlans))]
    public void A_bad_plan_is_refused_with_a_sentence_saying_why(string expected, OrderPlan? plan) =>
        Assert.Equal(expected, OrderRules.PlanProblem(plan, Due));
}
