using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>What the district's tally keeps across restarts: the latest roll-up of each enterprise and bundle, and the recorded days.</summary>
public sealed record TallySnapshot(List<EnterpriseRollup> Enterprises, List<BundleRollup> Bundles, List<DailyOutput> Recorded);

/// <summary>
/// The district's running totals over the latest roll-up of each enterprise and bundle. A new roll-up
/// replaces the old one: its figures are taken out of the totals and the new ones put in, so the work
/// per roll-up and per view does not grow with the number of enterprises.
/// </summary>
public sealed class DistrictTally
{
    /// <summary>At most this many alerts are named in the view; <see cref="CockpitView.AlertsTotal"/> counts them all.</summary>
    public const int MaxAlerts = 50;

    /// <summary>The view's daily history: the last 30 district days, today the last of them.</summary>
    public const int HistoryDays = 30;

    private readonly Dictionary<string, EnterpriseRollup> _enterprises = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BundleRollup> _bundles = new(StringComparer.Ordinal);
    /// <summary>How many recorded days are kept: enough for a year's comparison.</summary>
    public const int MaxRecordedDays = 400;

    private readonly Dictionary<DateOnly, Output> _daily = [];
    private readonly SortedDictionary<DateOnly, DailyOutput> _recorded = [];
    private readonly Dictionary<string, LinkTally> _links = new(StringComparer.Ordinal);
    private readonly SortedSet<Alert> _alerts = new(AlertOrder.Instance);
    private readonly SortedSet<(DateTimeOffset Due, string Enterprise)> _dues = [];
    private readonly HashSet<string> _overdueNamed = new(StringComparer.Ordinal);
    private int _registered;
    private int _online;
    private int _inFault;
    private long _inProcess;
    private StatusCounts _orders = StatusCounts.Zero;

    private sealed class LinkTally
    {
        public int Enterprises;
        public readonly Dictionary<DateOnly, Output> Daily = [];
    }

    public IEnumerable<EnterpriseRollup> Enterprises => _enterprises.Values;

    /// <summary>The tally from what it stored (<see cref="Snapshot"/>); the running totals are counted again.</summary>
    public static DistrictTally Restore(TallySnapshot? saved)
    {
        var tally = new DistrictTally();
        foreach (var rollup in saved?.Enterprises ?? [])
        {
            tally.Apply(rollup);
        }

        foreach (var rollup in saved?.Bundles ?? [])
        {
            tally.Apply(rollup);
        }

        tally.Record(saved?.Recorded ?? []);
        return tally;
    }

    /// <summary>What the tally keeps across restarts.</summary>
    public TallySnapshot Snapshot() => new([.. _enterprises.Values], [.. _bundles.Values], [.. _recorded.Values]);

    public void Apply(EnterpriseRollup rollup)
    {
        if (_enterprises.TryGetValue(rollup.Enterprise, out var old))
        {
            Count(old, -1);
        }

        _enterprises[rollup.Enterprise] = rollup;
        Count(rollup, +1);
    }

    public void Apply(BundleRollup rollup) => _bundles[rollup.Bundle] = rollup;

    /// <summary>Output recorded for past days outside the brain; a day recorded again replaces the earlier figure.</summary>
    public void Record(IEnumerable<DailyOutput> days)
    {
        foreach (var day in days)
        {
            _recorded[day.Date] = day;
        }

        while (_recorded.Count > MaxRecordedDays)
        {
            _recorded.Remove(_recorded.Keys.First());
        }
    }

    /// <summary>The district's enterprises by id (those registered, and those only heard of through their terminals), a page at a time.</summary>
    public EnterprisePage ListEnterprises(EnterpriseQuery query, DateOnly today)
    {
        var matching = _enterprises.Values
            .Where(e => query.ChainNode is null || e.ChainNode == query.ChainNode)
            .OrderBy(e => e.Enterprise, StringComparer.Ordinal)
            .ToList();
        var page = matching
            .Where(e => query.After is null || string.CompareOrdinal(e.Enterprise, query.After) > 0)
            .Take(query.Limit + 1)
            .ToList();
        var more = page.Count > query.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var items = page.Select(e => new EnterpriseListing(e.Enterprise, e.Name, e.ChainNode, e.Registered, e.Orders.Active, e.Orders.ToDictionary(),
            e.TerminalsOnline, e.TerminalsInFault, e.Daily.FirstOrDefault(d => d.Date == today) is { } day ? new Output(day.Units, day.Value) : Output.Zero)).ToArray();
        return new EnterprisePage(items, matching.Count, more ? items[^1].Enterprise : null);
    }

    /// <summary>
    /// The enterprises, by id from <see cref="OrderHolderQuery.From"/> on, whose orders may answer an order list:
    /// every one, or when a status is asked for, those with orders in it as of their last roll-up (an order on
    /// track whose due time has passed counts as possibly late).
    /// </summary>
    public List<OrderHolder> OrderHolders(OrderHolderQuery query, DateTimeOffset now) =>
        [.. _enterprises.Values
            .Where(e => query.Enterprise is null || e.Enterprise == query.Enterprise)
            .Where(e => query.ChainNode is null || e.ChainNode == query.ChainNode)
            .Where(e => query.From is null || string.CompareOrdinal(e.Enterprise, query.From) >= 0)
            .Where(e => query.Status is null || e.Orders.ToDictionary()[query.Status] > 0
                || (query.Status == OrderStatuses.Late && Lateness.PastDue(e.NextDue, now)))
            .OrderBy(e => e.Enterprise, StringComparer.Ordinal)
            .Select(e => new OrderHolder(e.Enterprise, e.Name))];

    /// <summary>
    /// Enterprises whose counts went stale by <paramref name="now"/>: one of their on-track or at-risk
    /// orders has passed its due time. Each is named once; its next roll-up sets its next due time.
    /// </summary>
    public List<string> StaleBy(DateTimeOffset now)
    {
        var stale = new List<string>();
        while (_dues.Count > 0 && Lateness.PastDue(_dues.Min.Due, now))
        {
            stale.Add(_dues.Min.Enterprise);
            _dues.Remove(_dues.Min);
        }

        return stale;
    }

    /// <summary>
    /// Open bundles whose deadline passed by <paramref name="now"/>, for example while the brain was
    /// stopped: the district wakes each, which closes it at once instead of when its reminder next ticks
    /// (up to a reminder period later). Each is named once; the bundle's reminder stays the backstop.
    /// </summary>
    public List<string> OverdueBundles(DateTimeOffset now)
    {
        var overdue = new List<string>();
        foreach (var bundle in _bundles.Values)
        {
            if (bundle.State == BundleStates.Open && bundle.ClosesAt <= now && _overdueNamed.Add(bundle.Bundle))
            {
                overdue.Add(bundle.Bundle);
            }
        }

        return overdue;
    }

    /// <summary>
    /// Pooled procurement: closed bundles count what they bought at the tier they reached; open bundles
    /// count what they would buy and save if they closed now (the bundle's own "if closed now" figures);
    /// failed bundles bought nothing and count nowhere.
    /// </summary>
    public ProcurementFigures Procurement()
    {
        int open = 0, closed = 0;
        decimal pooled = 0, savings = 0;
        foreach (var bundle in _bundles.Values)
        {
            if (bundle.State is not (BundleStates.Open or BundleStates.Closed))
            {
                continue;
            }

            if (bundle.State == BundleStates.Open)
            {
                open++;
            }
            else
            {
                closed++;
            }

            pooled += bundle.PooledValue;
            savings += bundle.Savings;
        }

        return new ProcurementFigures(open, closed, pooled, savings);
    }

    /// <summary>The cockpit as of <paramref name="now"/>, "today" being the district day of that instant.</summary>
    public CockpitView View(DateTimeOffset now, DistrictCalendar calendar, ChainMap map, long version)
    {
        var today = calendar.DateOf(now);
        var yesterday = today.AddDays(-1);
        var nodes = new List<ChainLinkView>(map.Nodes.Length + 1);
        var onMap = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in map.Nodes)
        {
            onMap.Add(link.Id);
            _links.TryGetValue(link.Id, out var tally);
            var output = tally is null ? Output.Zero : On(tally.Daily, today);
            nodes.Add(new ChainLinkView(link.Id, link.Name, link.NameEn, link.Stage, tally?.Enterprises ?? 0, output.Units, output.Value));
        }

        int otherEnterprises = 0;
        var other = Output.Zero;
        foreach (var (id, tally) in _links)
        {
            if (!onMap.Contains(id))
            {
                otherEnterprises += tally.Enterprises;
                var output = On(tally.Daily, today);
                other = other.Add(output.Units, output.Value);
            }
        }

        if (otherEnterprises > 0 || other != Output.Zero)
        {
            nodes.Add(new ChainLinkView(ChainStages.Other, "其他", "Other", ChainStages.Other, otherEnterprises, other.Units, other.Value));
        }

        var daily = new DailyOutput[HistoryDays];
        for (var i = 0; i < HistoryDays; i++)
        {
            var date = today.AddDays(i - HistoryDays + 1);
            var output = Total(date);
            daily[i] = new DailyOutput(date, output.Units, output.Value);
        }

        return new CockpitView(
            calendar.Local(now),
            version,
            today,
            _registered,
            _online,
            _inFault,
            _orders.Active,
            Total(today),
            _inProcess,
            Total(yesterday),
            _orders,
            Procurement() with { Bundles = OpenBundles() },
            new ChainView(map.Name, map.NameEn, [.. nodes], map.Edges),
            [.. _alerts.Take(MaxAlerts)],
            _orders.Late + _orders.AtRisk + _inFault,
            daily,
            Recorded: [.. _recorded.Values.Where(d => d.Date >= daily[0].Date && d.Date <= today)]);
    }

    /// <summary>At most this many open bundles are listed in the view, soonest deadline first.</summary>
    public const int MaxOpenBundles = 6;

    /// <summary>The open bundles, soonest deadline first: deadline, total against minimum and tiers (counted from 1; 0 below the first).</summary>
    public BundleMark[] OpenBundles() =>
        [.. _bundles.Values
            .Where(b => b.State == BundleStates.Open)
            .OrderBy(b => b.ClosesAt)
            .ThenBy(b => b.Bundle, StringComparer.Ordinal)
            .Take(MaxOpenBundles)
            .Select(b => new BundleMark(b.Bundle, b.Material, b.Unit, b.ClosesAt, b.TotalQuantity, b.MinQuantity,
                [.. (b.Tiers ?? []).Select(t => t.MinQuantity)], (b.Tiers ?? []).Count(t => b.TotalQuantity >= t.MinQuantity), b.UnitPrice, b.ListPrice))];

    private void Count(EnterpriseRollup rollup, int sign)
    {
        if (rollup.Registered)
        {
            _registered += sign;
        }

        _online += sign * rollup.TerminalsOnline;
        _inFault += sign * rollup.TerminalsInFault;
        _inProcess += sign * rollup.InProcess;
        _orders = sign > 0 ? _orders.Add(rollup.Orders) : _orders.Subtract(rollup.Orders);

        var key = rollup.ChainNode ?? "";
        if (!_links.TryGetValue(key, out var link))
        {
            _links[key] = link = new LinkTally();
        }

        if (rollup.Registered)
        {
            link.Enterprises += sign;
        }

        foreach (var day in rollup.Daily)
        {
            AddTo(_daily, day, sign);
            AddTo(link.Daily, day, sign);
        }

        if (link.Enterprises == 0 && link.Daily.Count == 0)
        {
            _links.Remove(key);
        }

        foreach (var alert in AlertsOf(rollup))
        {
            if (sign > 0)
            {
                _alerts.Add(alert);
            }
            else
            {
                _alerts.Remove(alert);
            }
        }

        if (rollup.NextDue is { } due)
        {
            if (sign > 0)
            {
                _dues.Add((due, rollup.Enterprise));
            }
            else
            {
                _dues.Remove((due, rollup.Enterprise));
            }
        }
    }

    private static IEnumerable<Alert> AlertsOf(EnterpriseRollup rollup)
    {
        foreach (var mark in rollup.Watch)
        {
            var kind = mark.Status == OrderStatuses.Late ? AlertKinds.OrderLate : AlertKinds.OrderAtRisk;
            yield return new Alert(kind, rollup.Enterprise, rollup.Name, mark.Order, mark.Product, mark.Due, mark.Progress, null, null, null);
        }

        foreach (var fault in rollup.Faults)
        {
            yield return new Alert(AlertKinds.TerminalFault, rollup.Enterprise, rollup.Name, null, null, null, null, fault.Terminal, fault.Fault, fault.Since);
        }
    }

    private static void AddTo(Dictionary<DateOnly, Output> days, DailyOutput day, int sign)
    {
        days.TryGetValue(day.Date, out var known);
        var sum = (known ?? Output.Zero).Add(sign * day.Units, sign * day.Value);
        if (sum.Units == 0 && sum.Value == 0)
        {
            days.Remove(day.Date);
        }
        else
        {
            days[day.Date] = sum;
        }
    }

    /// <summary>What the enterprises reported for the day plus what was recorded for it outside the brain.</summary>
    private Output Total(DateOnly date)
    {
        var output = On(_daily, date);
        return _recorded.TryGetValue(date, out var recorded) ? output.Add(recorded.Units, recorded.Value) : output;
    }

    private static Output On(Dictionary<DateOnly, Output> days, DateOnly date) => days.TryGetValue(date, out var output) ? output : Output.Zero;

    /// <summary>Late orders first (longest overdue first), then terminals in fault (longest first), then orders at risk (soonest due first).</summary>
    private sealed class AlertOrder : IComparer<Alert>
    {
        public static readonly AlertOrder Instance = new();

        public int Compare(Alert? x, Alert? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var c = Rank(x.Kind).CompareTo(Rank(y.Kind));
            if (c == 0)
            {
                c = Nullable.Compare(x.Due ?? x.Since, y.Due ?? y.Since);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(x.Enterprise, y.Enterprise);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(x.Order ?? x.Terminal, y.Order ?? y.Terminal);
            }

            return c;
        }

        private static int Rank(string kind) => kind switch
        {
            AlertKinds.OrderLate => 0,
            AlertKinds.TerminalFault => 1,
            _ => 2,
        };
    }
}
