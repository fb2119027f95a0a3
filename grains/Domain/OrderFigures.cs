using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// An order's figures at one moment, derived here only, for every answer the order gives (its progress, its summary
/// to the enterprise, its line on the board): status, progress (to four places), finished pieces, ETA and work in
/// progress.
/// </summary>
public readonly record struct OrderFigures(string Status, double Progress, long Completed, DateTimeOffset? Eta, long InProcess)
{
    public static OrderFigures Of(OrderPlan? plan, OrderCounts counts, EtaEstimator eta, DateTimeOffset now)
    {
        var completed = OrderRules.Completed(plan, counts);
        var projected = plan is null ? null : eta.Eta();
        return new OrderFigures(Lateness.Status(plan, completed, projected, now), Math.Round(OrderRules.Progress(plan, counts), 4),
            completed, projected, OrderRules.InProcess(plan, counts, completed));
    }
}
