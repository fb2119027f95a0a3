using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Archive;

/// <summary>One reading of an order's timeline.</summary>
public sealed record TimelineRow(string Step, string Terminal, int Run, long Seq, long Good, long Scrap, DateTimeOffset Ts);

/// <summary>Output on one district day.</summary>
public sealed record DayFigure(DateOnly Date, long Units, decimal Value);

/// <summary>What the writer takes off the queue and hands the database in one go.</summary>
public sealed class ArchiveBatch
{
    public List<(string Enterprise, string Order, Reading Reading)> Readings { get; } = [];
    public List<(string Enterprise, TerminalStatus Status)> Statuses { get; } = [];
    public List<ArchivedDay> Days { get; } = [];
    public List<BundleView> Bundles { get; } = [];

    public int Count => Readings.Count + Statuses.Count + Days.Count + Bundles.Count;

    public void Clear()
    {
        Readings.Clear();
        Statuses.Clear();
        Days.Clear();
        Bundles.Clear();
    }
}

/// <summary>
/// Where the archive lives: PostgreSQL in production, a SQLite file in the embedded default. Both answer
/// the same queries with the same meaning; writes are idempotent (a record written twice is kept once).
/// </summary>
public interface IHistoryStore : IAsyncDisposable
{
    /// <summary>"postgresql" or "sqlite".</summary>
    string Backend { get; }

    /// <summary>Creates the schema or brings it to the current version (safe with several silos at once).</summary>
    Task Migrate(CancellationToken cancellationToken);

    /// <summary>Writes a batch in one transaction; readings already archived are ignored.</summary>
    Task Write(ArchiveBatch batch, CancellationToken cancellationToken);

    /// <summary>Drops whatever is older than <paramref name="keepFrom"/> (whole day partitions in PostgreSQL) and prepares the days ahead. Answers the partitions or days dropped.</summary>
    Task<int> Retain(DateOnly keepFrom, DateOnly prepareUntil, CancellationToken cancellationToken);

    /// <summary>An order's readings in [from, to), oldest first, each (terminal, step, run, seq) once, at most <paramref name="limit"/>.</summary>
    Task<TimelineRow[]> Timeline(string enterprise, string order, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>Whether the archive holds any reading of the order (whatever its time).</summary>
    Task<bool> HasOrder(string enterprise, string order, CancellationToken cancellationToken);

    /// <summary>Output per district day in [from, to] (days without output left out): one enterprise's, one chain node's, or the district's.</summary>
    Task<DayFigure[]> Output(DateOnly from, DateOnly to, string? enterprise, string? node, CancellationToken cancellationToken);

    /// <summary>
    /// An enterprise's terminal status changes in [from, to) (one terminal's, or all of them), and each terminal's
    /// last change before <paramref name="from"/> (the status in force when the range begins); in no particular order.
    /// </summary>
    Task<StatusChange[]> StatusChanges(string enterprise, string? terminal, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Whether the archive holds any status of the enterprise's terminals (of one terminal when named), whatever its time.</summary>
    Task<bool> HasStatus(string enterprise, string? terminal, CancellationToken cancellationToken);

    /// <summary>True when the exception says the database cannot be reached or is not answering (not a bug of ours).</summary>
    bool IsUnavailable(Exception exception);
}
