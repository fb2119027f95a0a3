using System.Globalization;

namespace IndustryBrain.Bench.Fleet;

/// <summary>
/// The silos' memory with <paramref name="Terminals"/> connected, in bytes, after a full collection: RSS, what the GC
/// holds committed, the live heap; and the RSS and GC committed once the GC gave its free memory back (an aggressive collection).
/// </summary>
public sealed record MemoryPoint(int Terminals, double Rss, double Committed, double Live, double GivenBackRss, double GivenBackCommitted)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Terminals:N0} terminals: RSS {Rss / (1 << 20):N1} MiB, GC committed {Committed / (1 << 20):N1}, live {Live / (1 << 20):N1}; the GC's free memory given back: RSS {GivenBackRss / (1 << 20):N1}, GC committed {GivenBackCommitted / (1 << 20):N1}");
}

/// <summary>
/// What a connected terminal costs the silo, in KiB: RSS, GC committed and live heap after a full collection, and the
/// RSS once the GC gave its free memory back (what the terminals' objects and the process's own memory for them take,
/// without the GC's reserve).
/// </summary>
public sealed record MemoryPerTerminal(double RssKiB, double CommittedKiB, double LiveKiB, double GivenBackRssKiB)
{
    /// <summary>The growth from one point to another, per terminal.</summary>
    public static MemoryPerTerminal Between(MemoryPoint from, MemoryPoint to)
    {
        var terminals = (double)(to.Terminals - from.Terminals);
        return new MemoryPerTerminal((to.Rss - from.Rss) / terminals / 1024, (to.Committed - from.Committed) / terminals / 1024,
            (to.Live - from.Live) / terminals / 1024, (to.GivenBackRss - from.GivenBackRss) / terminals / 1024);
    }

    /// <summary>
    /// The least-squares slope over the points after the first connections (the first point, with none connected, is
    /// left out: the first connections pay once for code compiled, threads started and the GC's heaps grown).
    /// </summary>
    public static MemoryPerTerminal Slope(IReadOnlyList<MemoryPoint> points)
    {
        var connected = points.Where(p => p.Terminals > 0).ToArray();
        return new MemoryPerTerminal(Fit(connected, p => p.Rss), Fit(connected, p => p.Committed), Fit(connected, p => p.Live),
            Fit(connected, p => p.GivenBackRss));
    }

    private static double Fit(MemoryPoint[] points, Func<MemoryPoint, double> bytes)
    {
        var meanX = points.Average(p => (double)p.Terminals);
        var meanY = points.Average(bytes);
        var covariance = points.Sum(p => (p.Terminals - meanX) * (bytes(p) - meanY));
        var variance = points.Sum(p => (p.Terminals - meanX) * (p.Terminals - meanX));
        return variance > 0 ? covariance / variance / 1024 : double.NaN;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{RssKiB:N1} / {CommittedKiB:N1} / {LiveKiB:N1}; {GivenBackRssKiB:N1}");
}
