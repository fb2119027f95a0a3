using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// When an order is late or at risk (docs/contract.md, "Orders"), decided here only: by the order from its plan,
/// finished pieces and ETA, and by whoever holds figures the order told some time ago (its enterprise, the
/// district, its firm's board), which turn late once the due time passes.
/// </summary>
public static class Lateness
{
    /// <summary>The order's status now: unplanned, done, late (past its due time), at risk (its ETA is after it), or on track.</summary>
    public static string Status(OrderPlan? plan, long completed, DateTimeOffset? eta, DateTimeOffset now)
    {
        if (plan is null)
        {
            return OrderStatuses.Unplanned;
        }

        if (completed >= plan.Quantity)
        {
            return OrderStatuses.Done;
        }

        if (PastDue(plan.Due, now))
        {
            return OrderStatuses.Late;
        }

        return eta is { } projected && projected > plan.Due ? OrderStatuses.AtRisk : OrderStatuses.OnTrack;
    }

    /// <summary>True once <paramref name="now"/> is after the due time.</summary>
    public static bool PastDue(DateTimeOffset? due, DateTimeOffset now) => due is { } d && now > d;

    /// <summary>An order on track or at risk is late once its due time passes; done and unplanned ones never turn.</summary>
    public static bool CanTurnLate(string status) => status is OrderStatuses.OnTrack or OrderStatuses.AtRisk;

    /// <summary>Late or at risk: the orders the cockpit and the enterprise name.</summary>
    public static bool IsBehind(string status) => status is OrderStatuses.Late or OrderStatuses.AtRisk;

    /// <summary>The status an order told earlier has now: late once it could turn late and its due time has passed.</summary>
    public static string AsOf(string told, DateTimeOffset? due, DateTimeOffset now) =>
        CanTurnLate(told) && PastDue(due, now) ? OrderStatuses.Late : told;
}
