using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>A terminal's state from a moment on (from its status stream).</summary>
public sealed record StateChange(DateTimeOffset At, string State, string? Fault);

/// <summary>Pieces a terminal made on one district day for one order and step, and their ideal time.</summary>
public sealed record PieceTally(DateOnly Date, string Order, string Step, long Good, long Scrap, double IdealSeconds);

/// <summary>Good pieces a terminal made within one minute (unix minutes), for its recent rate.</summary>
public sealed record MinuteTally(long Minute, long Good);

/// <summary>What a firm's board keeps of one terminal (stored as it is).</summary>
public sealed class TerminalRecord
{
    public string Terminal { get; set; } = "";
    public long? Seq { get; set; }
    public string? State { get; set; }
    public string? Fault { get; set; }
    public DateTimeOffset? Since { get; set; }
    public string? Step { get; set; }
    public string? Order { get; set; }
    public DateTimeOffset? LastCountAt { get; set; }
    public List<StateChange> Changes { get; set; } = [];

    public List<PieceTally> Tallies
    {
        get => _tallies;
        set
        {
            _tallies = value;
            _tallyAt = null;
        }
    }

    public List<MinuteTally> Minutes { get; set; } = [];

    private List<PieceTally> _tallies = [];

    // Where each (day, order, step) is in Tallies once there are more than a few; not stored, made again when needed.
    // A terminal that counts for many orders a day would otherwise be searched from end to end at every report of
    // each of them; most terminals have one or two tallies, searched faster than an index (and an index costs a
    // few hundred bytes a terminal: a heap dump at 2,000 terminals counted one for each).
    private const int SearchedUpTo = 8;
    private Dictionary<(DateOnly Date, string Order, string Step), int>? _tallyAt;

    /// <summary>The position of the terminal's tally of that day, order and step, or -1.</summary>
    public int TallyOf(DateOnly date, string order, string step)
    {
        if (_tallies.Count <= SearchedUpTo)
        {
            for (var i = _tallies.Count - 1; i >= 0; i--)
            {
                var tally = _tallies[i];
                if (tally.Date == date && tally.Order == order && tally.Step == step)
                {
                    return i;
                }
            }

            return -1;
        }

        if (_tallyAt is null || _tallyAt.Count != _tallies.Count)
        {
            _tallyAt = new Dictionary<(DateOnly, string, string), int>(_tallies.Count);
            for (var i = 0; i < _tallies.Count; i++)
            {
                _tallyAt[(_tallies[i].Date, _tallies[i].Order, _tallies[i].Step)] = i;
            }
        }

        return _tallyAt.TryGetValue((date, order, step), out var index) ? index : -1;
    }

    /// <summary>A new tally (none of its day, order and step yet); tallies of days before <paramref name="keepFrom"/> go.</summary>
    public void AddTally(PieceTally tally, DateOnly keepFrom)
    {
        _tallies.Add(tally);
        _tallyAt?.Add((tally.Date, tally.Order, tally.Step), _tallies.Count - 1);
        if (_tallies[0].Date < keepFrom)
        {
            _tallies.RemoveAll(t => t.Date < keepFrom);
            _tallyAt = null;
        }
    }
}

/// <summary>
/// A terminal's activity on the board: its state and since when (the contract's status rule: without seq, a Last
/// Will, it always applies; otherwise the highest seq wins), its state changes over the last two days (for running
/// time), and the pieces it made per day, order and step (for OEE) and per minute (for its rate over the last
/// <see cref="RateWindow"/>).
/// </summary>
public static class TerminalActivity
{
    public static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan KeepChanges = TimeSpan.FromDays(2);

    public static bool Status(TerminalRecord record, TerminalStatus status)
    {
        if (status.Seq is { } seq && record.Seq is { } known && seq <= known)
        {
            return false;
        }

        if (status.Seq is { } newer)
        {
            record.Seq = newer;
        }

        var fault = status.State == TerminalStates.Fault ? status.Fault : null;
        if (record.State != status.State || record.Fault != fault || record.Since is null)
        {
            record.Since = status.Ts;
        }

        record.State = status.State;
        record.Fault = fault;
        var at = record.Changes.FindLastIndex(c => c.At <= status.Ts) + 1;
        record.Changes.Insert(at, new StateChange(status.Ts, status.State, fault));

        // Changes older than two days go, but the last of them says what the state was when the window opens.
        var cutoff = status.Ts - KeepChanges;
        var old = record.Changes.FindLastIndex(c => c.At < cutoff);
        if (old > 0)
        {
            record.Changes.RemoveRange(0, old);
        }

        return true;
    }

    public static void Counted(TerminalRecord record, TerminalCount count, DateOnly date)
    {
        if (count.Good <= 0 && count.Scrap <= 0)
        {
            return;
        }

        var ideal = count.IdealRatePerHour is > 0 and var rate ? (count.Good + count.Scrap) * 3600 / rate : 0;
        var index = record.TallyOf(date, count.Order, count.Step);
        if (index >= 0)
        {
            var t = record.Tallies[index];
            record.Tallies[index] = t with { Good = t.Good + count.Good, Scrap = t.Scrap + count.Scrap, IdealSeconds = t.IdealSeconds + ideal };
        }
        else
        {
            record.AddTally(new PieceTally(date, count.Order, count.Step, count.Good, count.Scrap, ideal), date.AddDays(-1));
        }

        var minute = count.At.ToUnixTimeSeconds() / 60;
        var m = record.Minutes.FindIndex(x => x.Minute == minute);
        if (m >= 0)
        {
            record.Minutes[m] = record.Minutes[m] with { Good = record.Minutes[m].Good + count.Good };
        }
        else
        {
            record.Minutes.Add(new MinuteTally(minute, count.Good));
            var oldest = minute - (long)RateWindow.TotalMinutes;
            record.Minutes.RemoveAll(x => x.Minute < oldest);
        }

        if (record.LastCountAt is null || count.At >= record.LastCountAt)
        {
            record.LastCountAt = count.At;
            record.Step = count.Step;
            record.Order = count.Order;
        }
    }

    /// <summary>Good pieces an hour over the last <see cref="RateWindow"/> (whole minutes: the current one and the nine before it).</summary>
    public static double RatePerHour(TerminalRecord record, DateTimeOffset now)
    {
        var current = now.ToUnixTimeSeconds() / 60;
        var window = (long)RateWindow.TotalMinutes;
        long good = 0;
        foreach (var minute in record.Minutes)
        {
            if (minute.Minute > current - window && minute.Minute <= current)
            {
                good += minute.Good;
            }
        }

        return Math.Round(good * 60.0 / window, 1);
    }

    /// <summary>The times the terminal ran within [from, to), sorted and merged.</summary>
    public static List<Span> Running(TerminalRecord record, DateTimeOffset from, DateTimeOffset to)
    {
        var spans = new List<Span>();
        for (var i = 0; i < record.Changes.Count; i++)
        {
            if (record.Changes[i].State != TerminalStates.Running)
            {
                continue;
            }

            var begins = record.Changes[i].At;
            var ends = i + 1 < record.Changes.Count ? record.Changes[i + 1].At : to;
            var span = new Span(begins > from ? begins : from, ends < to ? ends : to);
            if (span.Seconds > 0)
            {
                spans.Add(span);
            }
        }

        return ShiftTimes.Merge(spans);
    }

    /// <summary>
    /// The terminal's OEE sums for the district day <paramref name="today"/> up to <paramref name="now"/>: planned busy
    /// time from the shift calendar (none for a terminal that never told its state: its availability is unknown, not 0),
    /// running time within it, and the pieces it made today.
    /// </summary>
    public static OeeFigures Today(TerminalRecord record, IReadOnlyList<Span> planned, DateOnly today, DateTimeOffset dayStart, DateTimeOffset now)
    {
        double plannedSeconds = 0, running = 0;
        if (record.Changes.Count > 0)
        {
            plannedSeconds = planned.Sum(s => s.Seconds);
            running = ShiftTimes.Overlap(Running(record, dayStart, now), planned);
        }

        double ideal = 0;
        long good = 0, scrap = 0;
        foreach (var tally in record.Tallies)
        {
            if (tally.Date == today)
            {
                ideal += tally.IdealSeconds;
                good += tally.Good;
                scrap += tally.Scrap;
            }
        }

        return new OeeFigures(plannedSeconds, running, ideal, good, scrap);
    }
}
