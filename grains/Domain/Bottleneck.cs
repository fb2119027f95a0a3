using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// Why an order is where it is (瓶颈工序): of the steps with pieces left to make, the one that at its recent rate
/// finishes last sets the order's finish. Its rate, the rate it needs to finish by the due time (remaining pieces
/// over the hours left) and when it would finish at its rate. A step with pieces left and no rate yet never
/// finishes, so it is the bottleneck before any step with a rate (of several such, the one with most left).
/// </summary>
public static class Bottleneck
{
    public static BottleneckStep? Of(long quantity, DateTimeOffset? due, IReadOnlyList<BoardStep> steps, DateTimeOffset now)
    {
        BottleneckStep? worst = null;
        var worstHours = -1.0;
        long worstRemaining = 0;
        foreach (var step in steps)
        {
            var remaining = Math.Max(0, quantity - step.Good);
            if (remaining == 0)
            {
                continue;
            }

            var hours = step.RatePerHour is > 0 and var rate ? remaining / rate : double.PositiveInfinity;
            // Two steps without a rate never finish: the one with more pieces left is the bottleneck.
            if (hours > worstHours || (hours == worstHours && remaining > worstRemaining))
            {
                worstHours = hours;
                worstRemaining = remaining;
                worst = new BottleneckStep(step.Step, step.Name, remaining, step.RatePerHour is > 0 ? Math.Round(step.RatePerHour.Value, 1) : null,
                    NeededRate(remaining, due, now), FinishesAt(now, hours));
            }
        }

        return worst;
    }

    /// <summary>Pieces an hour needed to make <paramref name="remaining"/> by <paramref name="due"/>; null when the due time has passed (or none is set).</summary>
    public static double? NeededRate(long remaining, DateTimeOffset? due, DateTimeOffset now)
    {
        if (due is null || due <= now)
        {
            return null;
        }

        return Math.Round(remaining / (due.Value - now).TotalHours, 1);
    }

    private static DateTimeOffset? FinishesAt(DateTimeOffset now, double hours) =>
        double.IsFinite(hours) && hours * 3600 <= (EtaEstimator.Last - now).TotalSeconds ? now.AddHours(hours) : null;
}
