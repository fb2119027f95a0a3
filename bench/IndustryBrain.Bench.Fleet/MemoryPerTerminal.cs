using System.Globalization;

namespace IndustryBrain.Bench.Fleet;

/// <summary>
/// What one more connected terminal costs the silo, in KiB, after a full collection: the growth of its RSS, of what the
/// GC holds committed, and of the live heap, over the second half of the terminals to connect (what the first
/// connections pay once, the second half does not).
/// </summary>
public sealed record MemoryPerTerminal(double RssKiB, double CommittedKiB, double LiveKiB)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{RssKiB:N1} / {CommittedKiB:N1} / {LiveKiB:N1}");
}
