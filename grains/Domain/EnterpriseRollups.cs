using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>What an enterprise tells the district, from what it knows of its orders, terminals and days.</summary>
public static class EnterpriseRollups
{
    /// <summary>At most this many late or at-risk orders are named per enterprise; the counts stay exact.</summary>
    public const int MaxWatch = 10;

    /// <summary>At most this many terminals in fault are named per enterprise; the count stays exact.</summary>
    public const int MaxFaults = 10;

    public static EnterpriseRollup Of(
        string enterprise,
        EnterpriseProfile? profile,
        IEnumerable<OrderSummary> orders,
        IEnumerable<TerminalStatus> terminals,
        DailyOutput[] daily,
        DateTimeOffset now)
    {
        var counts = StatusCounts.Zero;
        long inProcess = 0;
        DateTimeOffset? nextDue = null;
        List<OrderMark>? watch = null;
        foreach (var order in orders)
        {
            var status = Lateness.AsOf(order.Status, order.Due, now);
            counts = counts.With(status, 1);
            if (status != OrderStatuses.Done)
            {
                inProcess += order.InProcess;
            }

            if (Lateness.CanTurnLate(status) && order.Due is { } due && (nextDue is null || due < nextDue))
            {
                // The counts go stale when this order turns late; the district asks again then.
                nextDue = due;
            }

            if (Lateness.IsBehind(status))
            {
                (watch ??= []).Add(new OrderMark(order.Order, status, order.Due, order.Product, order.Progress));
            }
        }

        int online = 0, inFault = 0;
        List<FaultMark>? faults = null;
        foreach (var terminal in terminals)
        {
            if (terminal.State != TerminalStates.Offline)
            {
                online++;
            }

            if (terminal.State == TerminalStates.Fault)
            {
                inFault++;
                (faults ??= []).Add(new FaultMark(terminal.Terminal, terminal.Fault, terminal.Ts));
            }
        }

        return new EnterpriseRollup(
            enterprise,
            profile?.Name,
            profile?.ChainNode,
            profile is not null,
            daily,
            counts,
            nextDue,
            watch is null ? [] : [.. watch.OrderBy(m => m.Status == OrderStatuses.Late ? 0 : 1)
                .ThenBy(m => m.Due ?? DateTimeOffset.MaxValue).ThenBy(m => m.Order, StringComparer.Ordinal).Take(MaxWatch)],
            online,
            inFault,
            faults is null ? [] : [.. faults.OrderBy(f => f.Since).ThenBy(f => f.Terminal, StringComparer.Ordinal).Take(MaxFaults)],
            now,
            inProcess);
    }
}
