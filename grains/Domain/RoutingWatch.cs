using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// Counts for a step that is not on a planned order's routing (a terminal set up with the wrong step id,
/// or a plan that dropped a step). Such a count is kept, as the contract keeps everything that arrives
/// early (the plan may yet gain the step, and then it counts), and weighs nothing in the order's progress.
/// The terminal is told (reason <c>unknown-step</c>) the first time it counts such a step, once per
/// (terminal, step) while the plan stays the same: a terminal that counts every second is not answered
/// every second. An order without a plan tells nobody: its readings arrived before its plan.
/// </summary>
public sealed class RoutingWatch
{
    private readonly HashSet<(string Terminal, string Step)> _told = [];

    /// <summary>Why the terminal should hear about this applied reading, or null when it need not.</summary>
    public string? Tell(OrderPlan? plan, string order, Reading reading)
    {
        if (plan is null || OnRouting(plan, reading.Step) || !_told.Add((reading.Terminal, reading.Step)))
        {
            return null;
        }

        var steps = string.Join(", ", plan.Routing.Select(r => r.Step));
        return $"step '{reading.Step}' is not on the routing of order {order} ({steps}); the count is kept and weighs nothing until the routing has it";
    }

    /// <summary>A new plan: terminals still counting a step it does not have are told again.</summary>
    public void PlanChanged() => _told.Clear();

    public static bool OnRouting(OrderPlan plan, string step) => Array.Exists(plan.Routing, r => r.Step == step);
}
