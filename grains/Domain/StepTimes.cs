namespace IndustryBrain.Domain;

/// <summary>When a step's first and last applied reading were taken (by the terminals' clocks).</summary>
public sealed record StepSpan(DateTimeOffset First, DateTimeOffset Last);

/// <summary>
/// Per routing step, the times of the first and the last reading applied to it: what the scan-to-trace page
/// shows as "when each step ran". Two times per step, whatever the number of readings.
/// </summary>
public sealed class StepTimes
{
    private readonly Dictionary<string, StepSpan> _steps;

    private StepTimes(IDictionary<string, StepSpan>? kept) => _steps = new Dictionary<string, StepSpan>(kept ?? new Dictionary<string, StepSpan>(), StringComparer.Ordinal);

    public StepTimes()
        : this(null)
    {
    }

    /// <summary>The step times from what the order stored (<see cref="Snapshot"/>).</summary>
    public static StepTimes Restore(IDictionary<string, StepSpan>? kept) => new(kept);

    public int Count => _steps.Count;

    /// <summary>An applied reading of <paramref name="step"/> taken at <paramref name="ts"/>; readings may arrive out of order.</summary>
    public void Observe(string step, DateTimeOffset ts)
    {
        if (ts == default)
        {
            return;
        }

        _steps[step] = _steps.TryGetValue(step, out var span)
            ? new StepSpan(ts < span.First ? ts : span.First, ts > span.Last ? ts : span.Last)
            : new StepSpan(ts, ts);
    }

    public StepSpan? Of(string step) => _steps.TryGetValue(step, out var span) ? span : null;

    /// <summary>The step times as stored.</summary>
    public Dictionary<string, StepSpan> Snapshot() => new(_steps, StringComparer.Ordinal);
}
