using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>Progress, completion and status of an order from its plan and counts (docs/contract.md, "Orders").</summary>
public static class OrderRules
{
    public const long MaxQuantity = 1_000_000_000;
    public const int MaxRoutingSteps = 100;

    /// <summary>A due date lies at most this many years before the moment the plan arrives (an ERP back-filling history).</summary>
    public const int MaxDueYearsPast = 10;

    /// <summary>A due date lies at most this many years after the moment the plan arrives.</summary>
    public const int MaxDueYearsAhead = 100;

    public static double StepProgress(long good, long quantity) =>
        quantity <= 0 ? 0 : Math.Min(1.0, (double)good / quantity);

    public static double Weight(RoutingStep step) => step.Weight ?? 1.0;

    /// <summary>The weighted mean of the routing steps' progress.</summary>
    public static double Progress(OrderPlan? plan, OrderCounts counts)
    {
        if (plan is null || plan.Routing.Length == 0)
        {
            return 0;
        }

        double total = 0, weights = 0;
        foreach (var step in plan.Routing)
        {
            var weight = Weight(step);
            weights += weight;
            total += weight * StepProgress(counts.CountOf(step.Step).Good, plan.Quantity);
        }

        return weights <= 0 ? 0 : total / weights;
    }

    /// <summary>The good count of the last routing step: finished pieces.</summary>
    public static long Completed(OrderPlan? plan, OrderCounts counts) =>
        plan is null || plan.Routing.Length == 0 ? 0 : counts.CountOf(plan.Routing[^1].Step).Good;

    /// <summary>
    /// Work in progress: pieces started and not finished, i.e. the most good pieces any routing step has
    /// counted (at most the quantity ordered) less the finished ones. Nothing for an order without a plan.
    /// </summary>
    public static long InProcess(OrderPlan? plan, OrderCounts counts, long completed)
    {
        if (plan is null || plan.Routing.Length == 0)
        {
            return 0;
        }

        long started = 0;
        foreach (var step in plan.Routing)
        {
            started = Math.Max(started, counts.CountOf(step.Step).Good);
        }

        return Math.Max(0, Math.Min(started, plan.Quantity) - completed);
    }

    /// <summary>Null when the plan is acceptable at <paramref name="now"/>; otherwise why not.</summary>
    public static string? PlanProblem(OrderPlan? plan, DateTimeOffset now)
    {
        if (plan is null)
        {
            return "the body must be an order plan";
        }

        if (string.IsNullOrWhiteSpace(plan.Product) || plan.Product.Length > 200)
        {
            return "product must be 1 to 200 characters";
        }

        if (Texts.Problem(plan.Product, "product") is { } text)
        {
            return text;
        }

        if (plan.Quantity is <= 0 or > MaxQuantity)
        {
            return $"quantity must be between 1 and {MaxQuantity}";
        }

        if (plan.UnitPrice < 0 || plan.UnitPrice > 100_000_000m)
        {
            return "unitPrice must be between 0 and 100000000";
        }

        if (plan.Due == default)
        {
            return "due is missing";
        }

        // now is the brain's own clock, so these bounds are years away from either end of DateTimeOffset's range.
        if (plan.Due < now.AddYears(-MaxDueYearsPast) || plan.Due > now.AddYears(MaxDueYearsAhead))
        {
            return $"due must lie within {MaxDueYearsPast} years before and {MaxDueYearsAhead} years after today";
        }

        if (plan.Routing is null || plan.Routing.Length == 0)
        {
            return "routing must have at least one step";
        }

        if (plan.Routing.Length > MaxRoutingSteps)
        {
            return $"routing has more than {MaxRoutingSteps} steps";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in plan.Routing)
        {
            if (step is null)
            {
                return "routing has an empty step";
            }

            if (Ids.Problem(step.Step, "routing step") is { } idProblem)
            {
                return idProblem;
            }

            if (!seen.Add(step.Step))
            {
                return $"routing step '{step.Step}' appears twice";
            }

            if (step.Weight is { } w && (double.IsNaN(w) || w <= 0 || w > 1_000_000))
            {
                return $"weight of routing step '{step.Step}' must be positive";
            }

            if (step.IdealRatePerHour is { } ideal && (double.IsNaN(ideal) || ideal <= 0 || ideal > 10_000_000))
            {
                return $"idealRatePerHour of routing step '{step.Step}' must be positive";
            }

            if (step.Name is { Length: > 100 })
            {
                return $"name of routing step '{step.Step}' is longer than 100 characters";
            }

            if (Texts.Problem(step.Name, $"name of routing step '{step.Step}'") is { } name)
            {
                return name;
            }
        }

        return null;
    }
}
