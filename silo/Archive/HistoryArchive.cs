using System.Diagnostics;
using System.Threading.Channels;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Storage;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// The archive's door for the hot path: the ingest hands it readings once their order grain applied them,
/// the enterprise grain its daily output, the bundle grain a bundle that ended. Every call returns at once
/// and never waits for the database: records wait in memory (at most History:QueueCapacity), then on disk, for the
/// <see cref="ArchiveWriter"/>.
/// </summary>
public interface IHistoryArchive
{
    /// <summary>Readings of one order that its grain accepted (duplicates are harmless: the archive ignores them by key).</summary>
    void Readings(string enterprise, string order, IReadOnlyList<Reading> readings);

    /// <summary>A terminal's status message as the ingest took it.</summary>
    void Status(string enterprise, TerminalStatus status);

    /// <summary>An enterprise's output on one district day, as it stands now (a later one replaces it).</summary>
    void Day(string enterprise, string? chainNode, DailyOutput day, DateTimeOffset asOf);

    /// <summary>A bundle that ended (closed, failed or cancelled).</summary>
    void Bundle(BundleView bundle);
}

public enum ArchiveKind : byte
{
    Readings,
    Status,
    Day,
    Bundle,
}

/// <summary>One queued record; <see cref="Count"/> readings for a batch of readings, otherwise one.</summary>
public readonly record struct ArchiveItem(ArchiveKind Kind, string Enterprise, string? Key, object Payload, long QueuedAt, int Count);

/// <summary>An enterprise's output on a district day as the archive keeps it.</summary>
public sealed record ArchivedDay(string Enterprise, string? ChainNode, DateOnly Date, long Units, decimal Value, DateTimeOffset AsOf);

/// <summary>
/// The queue between the hot path and the <see cref="ArchiveWriter"/>: up to History:QueueCapacity records wait in
/// memory; while more wait, the rest go to the <see cref="ArchiveSpool"/> on disk (appended by a task of its own, never
/// on the caller's thread), and the writer takes the memory's records first, then the spool's. Nothing is dropped
/// for being behind; only a spool at History:SpoolLimitMegabytes, or a record handed over after the stop, is not archived.
/// </summary>
public sealed class HistoryArchive : IHistoryArchive, IDisposable
{
    /// <summary>Put in the writer's queue to wake it when records went to the spool.</summary>
    private static readonly object SpoolMark = new();

    // Not SingleReader: /health peeks at its first record (the lag) while the writer reads.
    private readonly Channel<ArchiveItem> _ready = Channel.CreateUnbounded<ArchiveItem>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Channel<ArchiveItem> _overflow = Channel.CreateUnbounded<ArchiveItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly HistoryMetrics _metrics;
    private readonly ILogger<HistoryArchive> _logger;
    private readonly long _capacity;
    private readonly Lazy<ArchiveSpool> _spool;
    private long _inMemory;
    private long _toSpool;
    private long _lastWarning;
    private int _woken;
    private volatile bool _spooling;

    /// <summary>How long the spool task lets records gather before it appends them: a few thousand readings at full speed.</summary>
    private static readonly TimeSpan SpoolGather = TimeSpan.FromMilliseconds(20);

    public HistoryArchive(IOptions<HistoryOptions> options, IOptions<StorageOptions> storage, HistoryMetrics metrics, ILogger<HistoryArchive> logger)
    {
        _metrics = metrics;
        _logger = logger;
        _capacity = Math.Max(1, options.Value.QueueCapacity);
        Enabled = options.Value.Enabled;
        var folder = Path.Combine(Path.GetFullPath(storage.Value.Path), "history-spool");
        var limit = (long)options.Value.SpoolLimitMegabytes << 20;
        _spool = new Lazy<ArchiveSpool>(() => new ArchiveSpool(folder, limit));
    }

    /// <summary>False when History:Enabled is false.</summary>
    public bool Enabled { get; }

    /// <summary>Records waiting for the writer: in memory, on their way to the spool, and in the spool.</summary>
    public long Queued => Interlocked.Read(ref _inMemory) + Interlocked.Read(ref _toSpool) + (_spool.IsValueCreated ? _spool.Value.Records : 0);

    /// <summary>When the first record waiting in memory was queued (a <see cref="Stopwatch"/> timestamp); 0: none waits.</summary>
    public long OldestInMemory => _ready.Reader.TryPeek(out var first) && first.Count > 0 ? first.QueuedAt : 0; // a mark counts nothing

    /// <summary>When the oldest record waiting in the spool was queued; 0: none waits (or no spool yet).</summary>
    public long OldestSpooled => _spool.IsValueCreated ? _spool.Value.OldestQueuedAt : 0;

    /// <summary>Records waiting in memory.</summary>
    public long InMemory => Interlocked.Read(ref _inMemory);

    public long Capacity => _capacity;

    /// <summary>Bytes in the spool on disk, not yet in the database.</summary>
    public long SpooledBytes => _spool.IsValueCreated ? _spool.Value.Bytes : 0;

    /// <summary>The spool (its folder is made when first used: the writer's start).</summary>
    internal ArchiveSpool Spool => _spool.Value;

    internal ChannelReader<ArchiveItem> Reader => _ready.Reader;

    /// <summary>True while a writer runs (grain tests run without one, and then nothing is queued).</summary>
    internal bool Accepting { get; set; }

    public void Readings(string enterprise, string order, IReadOnlyList<Reading> readings)
    {
        if (readings.Count > 0)
        {
            Queue(new ArchiveItem(ArchiveKind.Readings, enterprise, order, readings, Stopwatch.GetTimestamp(), readings.Count));
        }
    }

    public void Status(string enterprise, TerminalStatus status) =>
        Queue(new ArchiveItem(ArchiveKind.Status, enterprise, null, status, Stopwatch.GetTimestamp(), 1));

    public void Day(string enterprise, string? chainNode, DailyOutput day, DateTimeOffset asOf) =>
        Queue(new ArchiveItem(ArchiveKind.Day, enterprise, chainNode,
            new ArchivedDay(enterprise, chainNode, day.Date, day.Units, day.Value, asOf), Stopwatch.GetTimestamp(), 1));

    public void Bundle(BundleView bundle) =>
        Queue(new ArchiveItem(ArchiveKind.Bundle, "", bundle.Bundle, bundle, Stopwatch.GetTimestamp(), 1));

    /// <summary>The writer took these records out of memory.</summary>
    internal void Taken(int count) => Interlocked.Add(ref _inMemory, -count);

    /// <summary>Whether the item is the mark that records went to the spool (the writer then reads it).</summary>
    internal bool IsSpoolMark(in ArchiveItem item)
    {
        if (!ReferenceEquals(item.Payload, SpoolMark))
        {
            return false;
        }

        Volatile.Write(ref _woken, 0);
        return true;
    }

    /// <summary>The writer stays behind a saturated ingest: new records go straight to the spool, not to be kept in memory for long.</summary>
    internal void SpoolFromNow() => _spooling = true;

    /// <summary>The writer found the spool empty: records stay in memory again while there is room.</summary>
    internal void SpoolDrained()
    {
        if (Interlocked.Read(ref _toSpool) == 0 && !Spool.HasData)
        {
            _spooling = false;
        }
    }

    /// <summary>
    /// Appends what does not fit in memory to the spool, until <see cref="Complete"/>; then completes the writer's queue.
    /// Run on a task of its own by the writer.
    /// </summary>
    internal async Task RunSpool()
    {
        var reader = _overflow.Reader;
        try
        {
            if (Spool.HasData)
            {
                _logger.LogWarning("The history archive has {Megabytes:F1} MB in {Folder} that the last run did not write; it writes them first",
                    Spool.Bytes / 1048576.0, Spool.Folder);
                Wake();
            }

            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var item))
                {
                    Interlocked.Add(ref _toSpool, -item.Count);
                    Spill(item);
                }

                Spool.Flush();
                Wake();

                // Let the next records gather: taken one at a time, each cost a wake-up of this task and a write to the
                // file, thousands a second while the ingest is flat out.
                if (!reader.Completion.IsCompleted)
                {
                    await Task.Delay(SpoolGather);
                }
            }
        }
        finally
        {
            _ready.Writer.TryComplete();
        }
    }

    /// <summary>Puts a record on disk (the writer's stop, and the spool task); counts it as not archived if the spool is full or fails.</summary>
    internal void Spill(ArchiveItem item)
    {
        try
        {
            if (Spool.Append(item))
            {
                _metrics.Spooled(item.Count);
                return;
            }

            NotArchived(item, "spool-full");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NotArchived(item, "spool-failed");
            _logger.LogError(e, "The history archive could not write to its spool in {Folder}", Spool.Folder);
        }
    }

    /// <summary>No more records: the spool task appends what it has, then the writer drains memory and the spool and stops.</summary>
    internal void Complete()
    {
        Accepting = false;
        _overflow.Writer.TryComplete();
    }

    private void Wake()
    {
        if (Spool.HasData && Interlocked.Exchange(ref _woken, 1) == 0)
        {
            _ready.Writer.TryWrite(new ArchiveItem(ArchiveKind.Readings, "", null, SpoolMark, Stopwatch.GetTimestamp(), 0));
        }
    }

    private void Queue(ArchiveItem item)
    {
        if (!Enabled || !Accepting)
        {
            return;
        }

        if (!_spooling)
        {
            if (Interlocked.Add(ref _inMemory, item.Count) <= _capacity)
            {
                if (!_ready.Writer.TryWrite(item))
                {
                    Interlocked.Add(ref _inMemory, -item.Count);
                    NotArchived(item, "stopped");
                }

                return;
            }

            Interlocked.Add(ref _inMemory, -item.Count);
            _spooling = true; // from now on new records queue behind the spool's, until the writer has read it all
            if (TimeToWarn())
            {
                _logger.LogWarning("The history archive is behind: more than {Capacity} records wait for its database, the rest go to the spool on disk ({Folder})",
                    _capacity, Spool.Folder);
            }
        }

        Interlocked.Add(ref _toSpool, item.Count);
        if (!_overflow.Writer.TryWrite(item))
        {
            Interlocked.Add(ref _toSpool, -item.Count);
            NotArchived(item, "stopped");
        }
    }

    private void NotArchived(ArchiveItem item, string cause)
    {
        _metrics.Dropped(item.Kind, item.Count, cause);
        if (TimeToWarn())
        {
            _logger.LogWarning("The history archive is behind by {Queued} records: records are not archived ({Cause}); {Dropped} so far",
                Queued, cause, _metrics.DroppedTotal);
        }
    }

    /// <summary>One warning a minute at most: a slow database under load would otherwise flood the log.</summary>
    private bool TimeToWarn()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarning);
        return now - last > 60_000 && Interlocked.CompareExchange(ref _lastWarning, now, last) == last;
    }

    public void Dispose()
    {
        if (_spool.IsValueCreated)
        {
            _spool.Value.Dispose();
        }
    }
}
