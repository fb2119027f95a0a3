namespace IndustryBrain.Silo.Archive;

/// <summary>The History:* keys: where the archive lives, how long it keeps, and how it writes.</summary>
public sealed class HistoryOptions
{
    /// <summary>
    /// A PostgreSQL connection string (Npgsql's format). Empty: the embedded default keeps its archive in a
    /// SQLite file (<c>history.db</c>) beside the state database in Storage:Path. Never logged.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>False: nothing is archived and the history endpoints answer 503 (benchmarks compare with it).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Days kept; older day partitions are dropped whole. Also the longest date range a query may ask for.</summary>
    public int RetentionDays { get; set; } = 400;

    /// <summary>Readings (and other records) written per batch.</summary>
    public int BatchSize { get; set; } = 20_000;

    /// <summary>
    /// Milliseconds the writer lets records gather before it writes a batch that is not full: one transaction for the
    /// hundreds of readings a district's terminals send meanwhile instead of one for every few. 0 writes at once.
    /// </summary>
    public int GatherMilliseconds { get; set; } = 250;

    /// <summary>
    /// Records waiting for the database in memory at most. When more wait (the database slower than the ingest, or
    /// down), the rest go to the spool on disk (<c>history-spool</c> in Storage:Path) and are written after; the live
    /// figures never wait for the archive.
    /// </summary>
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>The spool on disk at most; beyond it records are not archived (counted, warned about).</summary>
    public int SpoolLimitMegabytes { get; set; } = 10_240;

    /// <summary>
    /// While the ingest is flat out (<see cref="ILivePath.Saturated"/>), the writer writes at most one batch in this
    /// many seconds and the rest waits (in memory, then spooled): the database's work, on the same machine, is not
    /// taken from the live figures; the archive catches up when the load falls. 0: the writer never stays behind.
    /// </summary>
    public int YieldSeconds { get; set; } = 5;

    /// <summary>Day partitions created ahead of today (PostgreSQL).</summary>
    public int PartitionsAhead { get; set; } = 3;

    /// <summary>How long a clean stop waits for a database that is down to take what is still queued (the rest stays in the spool).</summary>
    public int StopWaitSeconds { get; set; } = 20;

    /// <summary>The backend's name, as /health shows it.</summary>
    public string Backend => string.IsNullOrWhiteSpace(ConnectionString) ? "sqlite" : "postgresql";
}
