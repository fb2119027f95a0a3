using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>What a firm's board knows, as the board grain keeps it.</summary>
public sealed record BoardFacts(
    string Enterprise,
    string? Name,
    IReadOnlyCollection<BoardLine> Orders,
    IReadOnlyCollection<TerminalRecord> Terminals,
    ShiftCalendar Shifts,
    DailyLedger Daily,
    IReadOnlyDictionary<string, DateOnly> DoneOn,
    SalesFigures Sales);

/// <summary>
/// Puts a firm's dispatch board together from what its orders, terminals and ERP documents told it: every active
/// order (late first, then at risk, on track, unplanned, each by due) with its steps, bottleneck and OEE; the
/// terminals by the step they count for; today's output against yesterday, orders done this week; sales.
/// OEE per order and step shares each terminal's planned and running time out by the pieces it made for them.
/// </summary>
public static class BoardAssembly
{
    private static readonly string[] StatusOrder = [OrderStatuses.Late, OrderStatuses.AtRisk, OrderStatuses.OnTrack, OrderStatuses.Unplanned];

    public static BoardView View(BoardFacts facts, DistrictCalendar calendar, DateTimeOffset now, long version)
    {
        var today = calendar.DateOf(now);
        var dayStart = ShiftTimes.StartOf(today, calendar.Zone);
        var planned = ShiftTimes.Planned(facts.Shifts, calendar.Zone, dayStart, now);

        // One pass over the terminals' tallies of today: each terminal's day, shared out to orders, order steps and steps.
        var byOrder = new Dictionary<string, OeeFigures>(StringComparer.Ordinal);
        var byOrderStep = new Dictionary<(string, string), OeeFigures>();
        var byStep = new Dictionary<string, OeeFigures>(StringComparer.Ordinal);
        var terminalsByStep = new Dictionary<string, List<BoardTerminal>>(StringComparer.Ordinal);
        var firm = OeeFigures.Zero;
        foreach (var record in facts.Terminals)
        {
            var day = TerminalActivity.Today(record, planned, today, dayStart, now);
            firm = firm.Add(day);
            var pieces = day.Good + day.Scrap;
            foreach (var tally in record.Tallies)
            {
                if (tally.Date != today || pieces == 0)
                {
                    continue;
                }

                var share = (double)(tally.Good + tally.Scrap) / pieces;
                var part = new OeeFigures(day.PlannedSeconds * share, day.RunningSeconds * share, tally.IdealSeconds, tally.Good, tally.Scrap);
                Add(byOrder, tally.Order, part);
                Add(byOrderStep, (tally.Order, tally.Step), part);
                Add(byStep, tally.Step, part);
            }

            var step = record.Step ?? "";
            if (!terminalsByStep.TryGetValue(step, out var list))
            {
                terminalsByStep[step] = list = [];
            }

            list.Add(new BoardTerminal(record.Terminal, record.State, record.Fault, record.Since, record.Step, record.Order,
                TerminalActivity.RatePerHour(record, now), day.Good, day.Scrap, day));
        }

        var orders = new List<BoardOrder>();
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        long stepPieces = 0, stepPlanned = 0;
        foreach (var line in facts.Orders)
        {
            foreach (var s in line.Steps)
            {
                names.TryAdd(s.Step, s.Name);
            }

            var status = Lateness.AsOf(line.Status, line.Due, now);
            if (status == OrderStatuses.Done)
            {
                continue;
            }

            var steps = new BoardOrderStep[line.Steps.Length];
            for (var i = 0; i < steps.Length; i++)
            {
                var s = line.Steps[i];
                steps[i] = new BoardOrderStep(s.Step, s.Name, s.Good, s.Scrap, s.Progress, s.RatePerHour is { } r ? Math.Round(r, 1) : null,
                    byOrderStep.GetValueOrDefault((line.Order, s.Step)));
                if (line.Quantity is { } q)
                {
                    stepPieces += Math.Min(s.Good, q);
                    stepPlanned += q;
                }
            }

            orders.Add(new BoardOrder(line.Order, status, line.Product, line.Quantity, line.Due, line.Progress, line.Completed, line.Eta, steps,
                line.Quantity is { } quantity ? Bottleneck.Of(quantity, line.Due, line.Steps, now) : null,
                byOrder.GetValueOrDefault(line.Order),
                facts.Sales.CustomersByOrder.TryGetValue(line.Order, out var customers) ? customers : []));
        }

        orders.Sort((a, b) =>
        {
            var byStatus = Array.IndexOf(StatusOrder, a.Status).CompareTo(Array.IndexOf(StatusOrder, b.Status));
            if (byStatus != 0)
            {
                return byStatus;
            }

            var byDue = (a.Due ?? DateTimeOffset.MaxValue).CompareTo(b.Due ?? DateTimeOffset.MaxValue);
            return byDue != 0 ? byDue : string.CompareOrdinal(a.Order, b.Order);
        });

        var groups = terminalsByStep
            .OrderBy(g => g.Key.Length == 0 ? 1 : 0).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new BoardStepGroup(g.Key, names.GetValueOrDefault(g.Key),
                [.. g.Value.OrderBy(t => t.Terminal, StringComparer.Ordinal)], byStep.GetValueOrDefault(g.Key) ?? OeeFigures.Zero))
            .ToArray();

        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        return new BoardView(
            facts.Enterprise,
            facts.Name,
            version,
            calendar.Local(now),
            today,
            facts.Daily.On(today),
            facts.Daily.On(today.AddDays(-1)),
            facts.DoneOn.Values.Count(d => d >= monday),
            orders.Count,
            stepPlanned > 0 ? Math.Round((double)stepPieces / stepPlanned, 4) : 0,
            [.. orders],
            groups,
            firm,
            facts.Sales,
            facts.Shifts);
    }

    private static void Add<TKey>(Dictionary<TKey, OeeFigures> sums, TKey key, OeeFigures part)
        where TKey : notnull =>
        sums[key] = sums.TryGetValue(key, out var sum) ? sum.Add(part) : part;
}
