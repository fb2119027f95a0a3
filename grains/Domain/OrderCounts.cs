using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>The key of one kept reading: a terminal's counter for one step in one run.</summary>
public readonly record struct CounterKey(string Terminal, string Step, int Run);

/// <summary>A reading as kept for its counter: the highest seq seen and its cumulative counts.</summary>
public readonly record struct KeptReading(long Seq, long Good, long Scrap);

/// <summary>A kept reading as it is stored.</summary>
public sealed record KeptEntry(string Terminal, string Step, int Run, long Seq, long Good, long Scrap);

/// <summary>A step's count: the sum over its terminals and runs of the kept readings.</summary>
public readonly record struct StepCount(long Good, long Scrap);

public enum ReadingVerdict
{
    Applied,
    Duplicate,
    CounterDecreased,
}

/// <summary>
/// The contract's reading acceptance: per (terminal, step, run) keep the reading with the highest seq;
/// a seq not above the kept one is a duplicate; a higher seq whose counts go down is refused.
/// Step counts are kept as running sums so that reading them costs nothing.
/// </summary>
public sealed class OrderCounts
{
    private readonly Dictionary<CounterKey, KeptReading> _kept = [];
    private readonly Dictionary<string, StepCount> _steps = new(StringComparer.Ordinal);

    public int KeptCount => _kept.Count;

    public IReadOnlyDictionary<string, StepCount> Steps => _steps;

    public ReadingVerdict Apply(Reading reading, out string? detail)
    {
        detail = null;
        var key = new CounterKey(reading.Terminal, reading.Step, reading.Run);
        if (_kept.TryGetValue(key, out var kept))
        {
            if (reading.Seq <= kept.Seq)
            {
                return ReadingVerdict.Duplicate;
            }

            if (reading.Good < kept.Good)
            {
                detail = $"good {reading.Good} < {kept.Good} in run {reading.Run}";
                return ReadingVerdict.CounterDecreased;
            }

            if (reading.Scrap < kept.Scrap)
            {
                detail = $"scrap {reading.Scrap} < {kept.Scrap} in run {reading.Run}";
                return ReadingVerdict.CounterDecreased;
            }
        }

        else
        {
            // A new counter: keep shared copies of its ids (readings from another silo bring their own).
            key = new CounterKey(IdPool.Shared(reading.Terminal), IdPool.Shared(reading.Step), reading.Run);
        }

        _kept[key] = new KeptReading(reading.Seq, reading.Good, reading.Scrap);
        _steps.TryGetValue(key.Step, out var step);
        _steps[key.Step] = new StepCount(step.Good + reading.Good - kept.Good, step.Scrap + reading.Scrap - kept.Scrap);
        return ReadingVerdict.Applied;
    }

    /// <summary>The reading kept for this reading's counter (zeros when none is).</summary>
    public KeptReading KeptOf(Reading reading) =>
        _kept.TryGetValue(new CounterKey(reading.Terminal, reading.Step, reading.Run), out var kept) ? kept : default;

    public StepCount CountOf(string step) => _steps.TryGetValue(step, out var count) ? count : default;

    public int TerminalsOf(string step)
    {
        HashSet<string>? terminals = null;
        foreach (var key in _kept.Keys)
        {
            if (key.Step == step)
            {
                (terminals ??= new HashSet<string>(StringComparer.Ordinal)).Add(key.Terminal);
            }
        }

        return terminals?.Count ?? 0;
    }

    /// <summary>The kept readings as the order stores them.</summary>
    public List<KeptEntry> Snapshot()
    {
        var entries = new List<KeptEntry>(_kept.Count);
        foreach (var (key, kept) in _kept)
        {
            entries.Add(new KeptEntry(key.Terminal, key.Step, key.Run, kept.Seq, kept.Good, kept.Scrap));
        }

        return entries;
    }

    /// <summary>The counts from the kept readings the order stored (<see cref="Snapshot"/>).</summary>
    public static OrderCounts Restore(IEnumerable<KeptEntry>? entries)
    {
        var counts = new OrderCounts();
        foreach (var e in entries ?? [])
        {
            counts.Apply(new Reading(e.Terminal, e.Step, e.Run, e.Seq, e.Good, e.Scrap, default), out _);
        }

        return counts;
    }
}
